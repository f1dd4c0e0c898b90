{
  "payload": "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJwcmVkaWNhdGUiOnsiY3JlYXRlZCI6IjIwMjYtMTEtMjJUMTI6MDA6MDBaIiwiZW52aXJvbm1lbnQiOnsiam9ibGliIjoiMS42LjAiLCJudW1weSI6IjIuNC42IiwicHl0aG9uIjoiMy4xMS43Iiwic2FmZWxvYWQiOiIwLjEuMCIsInNjaWtpdC1sZWFybiI6IjEuOS4xIn0sImZvcm1hdCI6InBpY2tsZSIsInNpemUiOjU2fSwicHJlZGljYXRlVHlwZSI6Imh0dHBzOi8vc2FmZWxvYWQuZGV2L21vZGVsLWFydGlmYWN0L3YxIiwic3ViamVjdCI6W3siZGlnZXN0Ijp7InNoYTI1NiI6IjdlZDA2OGEyMTc4MGRmMjVlMDc1OWI2OTlhMzVkNmZiMDJmZTY1NDhjNmE4NGMyMDg0NDExYmY2MDFmODVkMDUifSwibmFtZSI6Im1vZGVsLnBrbCJ9XX0=",
  "payloadType": "application/vnd.in-toto+json",
  "signatures": [
    {
      "keyid": "5e50104186ff8ee09634fdd811105c559a4ae6d2a300121408007a3fe7767c69",
      "sig": "Ee+Jd0zkqicoMbp8rF5AfnNBrd/R/49nRvbdEobDOPE="
    }
  ]
}
