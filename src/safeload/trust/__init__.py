"""Trust decisions about what a file may build, and what the built objects may do.

``dispatch`` holds the reviewed table of state attributes that drive behaviour at use time,
``callables`` the small list of functions a model may store as a parameter, and ``usetime`` the
check that runs over every loaded object graph before it is returned.
"""
