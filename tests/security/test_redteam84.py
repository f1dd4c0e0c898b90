r"""Red team 84: reproducers (strict xfails) for the open findings, 16:58-18:55 UTC 2026-12-04,
on HEAD c182924 (red team 83's Gaussian-process fix: gaussian_process_cost, MAX_GP_NUMBERS,
MAX_GP_WORK, check_gaussian_process_classifier) and, from 17:36, on HEAD 88d22e9 / cb945fa
(red team 83's other fixes merged: bagging's _sample_weight and weighted draws by time,
MAX_DRAWS 2**26, the Gram bound MAX_GRAM_WORK, HMAC raw deflate and UTF-8 preambles).

"pure" is the snapshot of HEAD in /tmp/rt84p (c182924) and /tmp/rt84q (cb945fa; its src is
88d22e9's), run with SAFELOAD_PURE_PYTHON=1, the main target; "compiled" is /work/main's
.venv build. From about 18:05 /work/main's working tree held the maintainer's uncommitted
fixes of rt84-01..05, 10 and 13 (read from this file as it was written), so the compiled
runs were made on a compiled snapshot of HEAD (/tmp/rt84c: ``git archive HEAD`` plus the
tree's .so files), where every test below XFAILs, as on pure. CPU times are process times
on the shared 2-core machine (one thread; load average 4-6 during the session), noisy by
some 30%. Sizes are joblib files (xz) unless said.

Attack window: 16:58 to 18:45 UTC, continuous (the file written as findings were confirmed).
Verified at 18:30-18:40: 49 tests, all XFAIL on cb945fa pure (/tmp/rt84q) and compiled
(/tmp/rt84c); at 3233f0d (pure /tmp/rt84s, compiled /tmp/rt84c3, what /work/main's .venv
runs) the 14 tests of rt84-01..06, 09, 10 and 13 XPASS (fixed during the session) and the
35 others XFAIL. At 3736e8b (18:43, the HMAC fixes merged) rt84-07 (10 forms), rt84-08's
Latin-1 / CP1252 / PKCS#1 forms (5), rt84-11's LZMA2 / LZMA1 / base64 forms (3) and rt84-12
XPASS too; still open there: rt84-08's UTF-16 stub and bzip2 / zstd mid-line, rt84-11's
delta + LZMA2, rt84-14, rt84-15, 16, 17, 18, 19.
Nineteen findings: eleven HARM (rt84-01..06, 10, 13, 15..17), four TRUST (rt84-07, 08, 11,
14), four HONEST-REFUSED (rt84-09; rt84-12, a regression of the HMAC fixes; rt84-18, of
fede5e5; rt84-19, of 7fd756b). rt84-01..05, 10 and 13 were fixed at fede5e5 (committed
18:14, during the session), rt84-06 and rt84-09 at 3233f0d (merged 18:28): their tests
XPASS there and should become plain tests.

rt84-01 (HARM: CPU; gaussian_process_cost's per-feature price assumes float64 BLAS / pdist)
        the count charges 4 operations (0.4 ns) per feature per pair of training samples,
        whatever X_train_'s dtype. An honest fit keeps float16 and float128 data as they are
        (check_array(dtype="numeric")), and neither has a fast kernel: DotProduct's
        np.inner of float16 runs numpy's scalar half loop (5.2 ns a product, 130 times
        float64's BLAS), an RBF's pdist of float128 2.9 ns a feature. A
        GaussianProcessRegressor(DotProduct) whose X_train_ is 1,000 x 6,000 float16
        (count: 76% of MAX_GP_WORK): scan SAFE, load loads, pure and compiled;
        log_marginal_likelihood(theta, eval_gradient=True) takes 32 s of CPU (1,000 x 2,000:
        29% of the bound, 11 s). RBF(1.0) over 1,000 x 6,000 float128: 76% of the bound,
        9.2 s. Memory alike: MAX_GP_NUMBERS counts float64, and an anisotropic gradient's
        temporaries take X_train_'s dtype: Matern(nu=0.5) with 2,500 length scales over
        100 float128 samples (99.4% of MAX_GP_NUMBERS, 6.6 KB, scan SAFE, load loads) holds
        its pairwise differences, their quotient and the gradient at 16 bytes each: 1.1 GB
        of growth (float64: 0.55 GB), MemoryError under 1 GiB. Found asking which arrays the
        count takes as float64 without looking.
rt84-02 (HARM: CPU; rt83-11's Newton count) gaussian_process_cost charges a classifier's
        Newton loop n**3 / 3 per step at max_iter_predict steps, and nothing per step else:
        a step is some 85 us of Python and LAPACK calls whatever n, so a loop over two
        samples is priced at 3 operations a step. The loop stops when the likelihood stops
        rising (``lml - previous < 1e-10``), but a likelihood of -inf at every step makes that
        NaN, never true: warm_start=True (a public parameter) starts Newton from f_cached
        (what fit leaves), and with ConstantKernel(1e4) over labels (1, 0) (K = 1e4
        everywhere) f_cached = (-1e4, -1e4) alternates with (1e4, 1e4), one sample always
        10,000 on the wrong side (log1p(exp(10,000)) is inf). A binary
        GaussianProcessClassifier so, max_iter_predict 100,000 (MAX_ITERATIONS; count
        8e-6 of MAX_GP_WORK): 3.7 KB, scan SAFE, load loads, pure and compiled;
        log_marginal_likelihood(theta) runs all 100,000 steps: 8 s of CPU. Three classes
        one-vs-rest, 95,000 steps a member (3.9 of the per-call iteration share of 4): 4.0 KB,
        loads, 26 s a call. Found asking what makes the Newton loop run to its last step.
rt84-03 (HARM: CPU; gaussian_process_cost's price per hyperparameter) a binary
        classifier's log_marginal_likelihood(theta, eval_gradient=True) loops in Python over
        theta (``for j in range(d_Z.shape[0])``: a column of the gradient, two products, a
        solve's worth of dots), some 9 us an item whatever n; the count charges 500
        operations per gradient number per pair of samples: over two samples, 2,000 (0.2 us)
        per hyperparameter. An anisotropic RBF has one free length scale per feature: a
        GaussianProcessClassifier fitted on 2 samples over 2,000,000 features (count: 32%
        of MAX_GP_NUMBERS, 12% of MAX_GP_WORK): 13 KB, scan SAFE, load loads, pure and
        compiled; the call takes 18 s of CPU (200,000 features: 4.8 KB, 2.0 s). Found
        reading the classifier's gradient for loops the count prices as arrays.
rt84-04 (HARM: CPU; rt83-03's fix prices Matern's numeric gradient per pair only) a
        Matern of another nu than 0.5 / 1.5 / 2.5 / inf takes its gradient by
        _approx_fprime: per free length scale, clone_with_theta (sklearn.base.clone, a
        deep copy of the length scales) and a whole kernel: some 250-450 us each over two
        samples, priced at (2,100 + 4 x features) x (1 + length scales) per pair, 0.9 us + 1.6
        ns a feature. An anisotropic Matern(nu=1.0) GaussianProcessRegressor fitted on 2
        samples over 30,000 features (count: 43% of MAX_GP_WORK): scan SAFE, load loads,
        pure and compiled; log_marginal_likelihood(theta, eval_gradient=True) takes 13 s of
        CPU (10,000 features: 5% of the bound, 2.4 s). Found pricing rt84-03's per-item
        overhead elsewhere.
rt84-05 (HARM: memory; gaussian_process_cost reads no classifier target shape) a binary
        classifier's Newton loop scales K by W_sr[:, np.newaxis], W_sr being as y_train_
        is: fit stores y_train_ flat, but a column (n, 1) makes ``W_sr[:, np.newaxis] * K``
        (n, 1, 1) x (n, n) = (n, n, n), then B as large and a batched Cholesky of n
        factors; the second step goes to (n, n, n, n). The count weighs n**2 numbers and
        n**3 / 3 work a step. A GaussianProcessClassifier (RBF) fitted on 700 samples of one
        feature 100 apart (K the identity), its member's y_train_ made a column (count: 4% of
        MAX_GP_NUMBERS, 35% of MAX_GP_WORK): 5.3 KB, scan SAFE, load loads, pure and compiled;
        log_marginal_likelihood(theta) asks 2.56 GiB at once (MemoryError under 1 GB);
        y_train_ of (200, 200) asked 11.9 GiB, and unlimited ran 8 minutes at 9 GB RSS.
        predict_proba alike: ``solve(L_, W_sr_[:, np.newaxis] * K_star)``, and W_sr_ as a
        column (n, 1) makes the right-hand side (n, n, rows) and scipy solves it as n
        batches: 900 samples at the default 100 Newton steps (count 76% of MAX_GP_WORK;
        scan SAFE, load loads, pure and compiled), predict_proba of 250 rows asks 1.6 GB at
        once (MemoryError under 1 GB; 1,000 samples, max_iter_predict 1, 200 rows, under
        3 GB: 6 s and 1.9 GB before it); 2,000 samples at one step (10.8 KB): 10 rows took
        44 s of CPU and 0.9 GB. Found asking what the Newton loop broadcasts against
        y_train_'s shape, then which other per-sample vectors the methods broadcast.
rt84-06 (HARM: CPU; against e029592's MAX_GRAM_WORK, rt83-05's fix) the Gram rule counts
        components**2 x features products at BLAS speed (2**33: "OMP 0.9 s"); the sparse
        coders, NMF and the sparse PCAs convert their components to float64 / float32 first,
        but FactorAnalysis.transform computes ``np.dot(components_ / noise_variance_,
        components_.T)`` in whatever dtype they hold, and numpy has no BLAS for float16 (5 ns
        a product, 150 times float64's). A FactorAnalysis of 1,024 float16 components over
        1,024 features (noise_variance_ float16; 2**30 products, an eighth of the bound):
        8.4 KB, scan SAFE, load loads, pure and compiled; transform of one row takes 5.5 s of
        CPU (float64: 0.075 s); 2,048 over 2,048 (2**33, at the bound): 16.6 KB, loads, 44 s
        a row. get_covariance / get_precision / score multiply them alike. So does PCA
        (and IncrementalPCA's get_covariance / get_precision: 0.73 s at 512, loads), under
        no Gram rule: get_covariance is ``(components_.T *
        exp_var_diff) @ components_`` and score's get_precision two such products: float16
        components_ and explained_variance_ of 1,024 over 1,024 features: 2.6 KB, scan SAFE,
        load loads, pure and compiled; get_covariance() 6.4 s, score of one row 6.1 s
        (float64: 0.01-0.03 s at 512); 2,048 over 2,048 (4.8 KB): get_covariance() 74 s;
        4,096 over 4,096 (11 KB) loads too. Found asking which GRAM_COMPONENTS model keeps
        its components' dtype (rt84-01's question again), then which other methods multiply
        two stored arrays.
rt84-07 (TRUST; against 680fca8, rt83-07's raw deflate fix) _raw_deflated reads a raw
        deflate stream only from the secret's first byte, and only when it ends (its final
        block) within four bytes of whitespace of the secret's end; a text preamble's rests
        (_after_text) are read as archives and binary forms but never as raw deflate. The
        P-256 PEM (test_redteam83's key) is accepted as an HMAC secret, pure and compiled,
        as: a sync-flushed stream (zlib's Z_SYNC_FLUSH, no final block: what a deflater
        flushed but not finished writes, Java's DeflaterOutputStream(syncFlush), Go's
        flate.Writer.Flush, .NET's DeflateStream before Dispose), 158 bytes, and without
        its 00 00 ff ff tail (RFC 7692's permessage-deflate message), 154; Z_FULL_FLUSH,
        158; a gzip file with its 10-byte header cut (raw deflate, then CRC-32 and size),
        161; two streams back to back, 167; a stream then "\n# end\n", 160; a PHP
        self-extracting script (``<?php eval(gzinflate(substr(file_get_contents(__FILE__),
        __COMPILER_HALT_OFFSET__))); __halt_compiler();`` then the stream), 257; a comment
        line then the stream, 183; the DER sync-flushed, 97; base64 of the sync-flushed PEM,
        212. The whole stream (Z_FINISH) is refused. Found asking what else than a finished
        stream from byte 0 a deflater writes.
rt84-08 (TRUST; against cb5e4e3, rt83-08's fix; red team 83's untested idea) the text
        before a payload is now UTF-8 (and common controls), read at every line start up to
        the first byte that is not: a stub in a legacy 8-bit encoding ends the text at its
        first accented letter, before the payload's line. A makeself stub whose label is
        Latin-1 ("Clé publique du signeur", 0xE9) or CP1252 ("Signer\x92s key", a curly
        apostrophe) before the gzip / xz / bzip2 tar of the P-256 PEM: 397-465 bytes,
        accepted, pure and compiled (the ASCII stub: refused); UTF-16 (a PowerShell
        script's default), 545-602 bytes, accepted. And bzip2's magic "BZh91AY&SY" is
        printable: right after text on the same line (``<?php __halt_compiler();`` then
        the .tar.bz2, a PHP self-extractor's layout) the text end falls inside the stream
        and no line starts at the magic: 308 bytes, accepted (gzip, xz, LZ4 and zip there:
        refused); zstd's magic starts with "(" (0x28) and is cut alike: 241 bytes, accepted.
        rt82-09's RSA key in PKCS#1 DER after a comment line in Latin-1 ("# clé du
        signeur") or CP1252: 287 / 285 bytes, accepted (after ASCII or UTF-8: refused).
        Found trying red team 83's Latin-1 idea, then asking where the text ends for a magic
        that is itself text.
rt84-09 (HONEST-REFUSED; against f1d06ee's weighted draws by time) _weighted_rounds takes
        2 x spread x ln(drawn) + 8 rounds for a draw without replacement (spread: the largest
        positive weight over the smallest), capped at drawn; that is what drawing every
        positive row may need, not drawing a few of many: numpy's rounds repeat only the
        draws that collided, and 256 of 20,000 rows collide about once. IsolationForest()
        (its defaults: 100 trees, 256 samples, bootstrap=False) fitted on 20,000 rows with
        weights uniform in [0.01, 1] (spread 100): counted 256 rounds, "5.7 s", refused by
        scan and load, pure and compiled; estimators_samples_ takes 0.06 s (50,000 rows:
        "11.9 s", 0.09 s; weights in [0.5, 1] load). BaggingRegressor(n_estimators=10,
        bootstrap=False, max_samples=0.5) so over 50,000 rows: "67.7 s" (1,896 rounds),
        refused; 0.05 s. Found timing honest weighted fits against the new count.
rt84-10 (HARM: CPU; repr and a notebook's display) check_kernel_values lets an RBF or
        Matern hold any flat sequence of length scales, and their __repr__ formats every one
        ("{0:.3g}" each); scikit-learn's estimator repr renders its kernel several times
        (_changed_params compares reprs) before it truncates the text to 700 characters. A
        GaussianProcessRegressor (unfitted: nothing else is weighed) whose kernel is
        RBF(np.ones(2,000,000)): 2.9 KB, scan SAFE, load loads, pure and compiled; repr(model)
        takes 7.1 s of CPU, _repr_html_ (a notebook showing the model) 15 s; linear in the
        length scales the file repeats (zeros compress: 20,000,000 would be some 70 s).
        rt84-03's fitted classifier alike. Found asking what the promise's ``repr`` costs
        on a kernel's per-feature parameter.
rt84-11 (TRUST; the class of rt83-07, beside 680fca8's raw deflate) xz's raw format (``xz
        --format=raw``: an LZMA2 stream with no xz header, no magic, no check; the standard
        library reads it: lzma.FORMAT_RAW with FILTER_LZMA2) of the P-256 PEM: 158 bytes,
        accepted as an HMAC secret, pure and compiled; raw LZMA1 (``xz --format=raw
        --lzma1``, ``lzma -F raw``), 156 bytes; with xz's delta filter first, 170; base64 of
        the raw LZMA2, 212. The .lzma ("alone") header form is refused. Not the documented
        brotli limit: that one is excused as having no decoder in the standard library.
        Found listing the headerless forms the standard library can decode.
rt84-12 (HONEST-REFUSED; a regression from 680fca8 / cb5e4e3's read charges) a random
        secret written by ``xxd -p`` (hex, 60 characters a line) is decoded line by line, and
        since the fixes each line's decoded forms are also inflated as raw deflate (charged
        from 256 bytes of output plus the input a step) and read after text, past
        READS_PER_BYTE (16 a byte) over a long file: 24 KB of random bytes (50 KB of text)
        load, 32 KB (66 KB) and more are refused ("reads as more text than a random secret
        does"), pure and compiled; c182924 accepted 64 KB (133 KB). Hex at 64 characters a
        line (``fold -w 64``) and with CRLF alike (48 KB of random bytes: refused); one line
        of hex of 512 KB, hex at 32 a line, and base64 wrapped at 64 or 76, are accepted.
        Found feeding honest long forms to the new charges.
rt84-13 (HARM: CPU; PARITY of the rule with itself: check_gaussian_process_classifier,
        c182924's "members add up") the sum reads gaussian_process_cost of each member of
        base_estimator_.estimators_, and a member that is itself a binary
        GaussianProcessClassifier (the one-vs-rest check asks only for a classifier of two
        classes) has no X_train_ of its own: it weighs (0, 0), while the multi-class
        log_marginal_likelihood calls its log_marginal_likelihood in turn. Each member's
        _Binary... is checked alone, so k members cost k times the bound. Three such members
        of 800 samples (RBF, 100 apart) at 54% of MAX_GP_WORK each (162% in all; as
        _Binary... members: refused): 7.5 KB, scan SAFE, load loads, pure and compiled. With
        rt84-02's warm start in each member (ConstantKernel(1e4), f_cached -1e4) every
        member runs its 100 Newton steps (0.95 s each): 10 classes over 800 samples, 12 KB,
        loads; the call takes 9.5 s of CPU. Found asking what the new sum adds up
        when a member is not the class it expects.
rt84-14 (TRUST; older code, found beside rt84-11) coreutils' ``basenc --base2lsbf``
        (binary digits, each byte's least significant bit first) of the P-256 DER: 728
        characters (738 wrapped at 76), accepted as an HMAC secret, pure and compiled;
        the PEM alike (1,424 characters); ``--base2msbf`` is refused (as are basenc's z85,
        base32hex, base64url and base16).
        Found running every basenc encoding over the DER.
rt84-15 (HARM: CPU; the class of rt83-05: per-call work no row pays for) a random
        projection fitted without compute_inverse_components (scikit-learn's default)
        inverts its components on every inverse_transform call: ``pinv(components_)``, an
        SVD of (components x features), whatever the rows; check_random_projection asks only
        that they be finite (rt47-09). A GaussianRandomProjection whose components_ is
        2,048 x 2,048 (rows of one 1 each): 5.4 KB, scan SAFE, load loads, pure and
        compiled; inverse_transform of one row takes 4.7 s of CPU (1,024 x 1,024: 0.56 s;
        4,096 x 4,096, 20 KB, loads: some 36 s by the cube). SparseRandomProjection alike
        (a CSR 2,048 x 2,048, 1.8 KB: 4.3 s). Found asking which other methods redo a
        fit-sized factorization on every call.
rt84-16 (HARM: CPU; rt84-15's class, found beside it) GaussianMixture.sample() hands each
        drawn component's covariance to RandomState.multivariate_normal, which takes its SVD
        on every call: features**3, whatever the samples asked for; check_mixture asks only
        that the parameters be finite (rt48-04). A full-covariance GaussianMixture of one
        component over 2,048 features (covariances_ the identity, precisions alike): 15.5 KB
        (xz -1), scan SAFE, load loads, pure and compiled; sample(1) takes 5.4 s of CPU
        (BayesianGaussianMixture inherits sample). A 'tied' mixture takes that SVD once per
        drawn component of its one shared covariance: 20 components over 1,024 features
        (4.6 KB, scan SAFE at 3233f0d), sample(200) 10 s. A covariance estimator kept without its
        precision (store_precision=False) runs pinvh(covariance_) in get_precision on every
        mahalanobis / score / EllipticEnvelope predict: EmpiricalCovariance over 2,048
        features (covariance_ the identity), 5.4 KB, loads; mahalanobis of one row 1.6 s,
        score 1.9 s (the cube: 4,096 some 13 s). Not among the documented (n, n) limits
        (PCA / FactorAnalysis get_precision). Found asking which other methods redo a
        fit-sized factorization on every call.
rt84-17 (HARM: CPU; against fede5e5's MAX_LENGTH_SCALES, rt84-10's fix, committed
        18:14) the bound is per kernel (65,536 length scales), and a kernel may be a Sum of
        up to 256 terms where it is fitted on nothing (the terms rule weighs terms times the
        fitted items: an unfitted GaussianProcessRegressor has none), each term the same RBF
        object: repr formats every term's scales. A GaussianProcessRegressor whose kernel
        is a Sum of 16 references to one RBF(np.ones(65,536)): 688 bytes (xz -1), scan SAFE,
        load loads on fede5e5 and before; repr(model) takes 3.9 s of CPU; 64 references
        (692 bytes): 15.5 s. Across estimators alike, and dearer (the pretty printer renders
        a nested estimator's parameters at every level): a VotingRegressor of 32
        GaussianProcessRegressors, or a FeatureUnion of 32 KernelPCAs, all holding that one
        RBF: 840 / 944 bytes, scan SAFE, load loads; repr 30-31 s. Found asking what the new
        bound multiplies by.
rt84-18 (HONEST-REFUSED; against fede5e5's rt84-01 fix, which prices every X_train_ not
        float32 / float64 at 160 times a feature) the slowness is the kernel's, not the
        dtype's: RBF and Matern divide by the length scales first (float64), pdist converts
        ints and float16 to double at full speed, and only DotProduct's np.inner of float16
        (and pdist of float128) run numpy's scalar loops. An honest
        GaussianProcessRegressor(C * RBF + White) fitted on 1,500 samples of 10 int64
        features (fit keeps ints: check_array(dtype="numeric")) is refused at fede5e5
        ("54,630,300,000 operations"), pure and compiled, and loaded before it;
        log_marginal_likelihood with the gradient takes 0.6 s. So is one fitted on
        big-endian float64 (FITS files, astropy's '>f8'; fit keeps the byte order, and
        np.dtype('>f8') is not np.float64): 0.7 s, refused. The test asks for both
        halves of a right fix: this model loads, and rt84-01's float16 DotProduct stays
        refused (so it XFAILs before fede5e5 too). Found reading fede5e5's diff.
rt84-19 (HONEST-REFUSED; against 7fd756b, rt84-09's fix, merged 18:28) the new bound by
        the share of the weight helps only when the rows left outweigh the drawn ones
        (``drawn x largest / (2 x rest) <= 1/2``); drawing half the rows falls back on the
        spread bound, 2 x spread x ln(drawn) + 8 rounds, which grows with the spread where
        numpy's rounds grow with its logarithm. BaggingRegressor(n_estimators=10,
        bootstrap=False, max_samples=0.9) fitted with weights uniform in [0.1, 1] (spread
        10) over 50,000 rows (24,859 drawn a member): counted 211 rounds, "14.0 s", refused
        at 3233f0d (and before it), pure and compiled; estimators_samples_ takes 0.09 s.
        92b2967's SECURITY.md names "skewed or heavy-tailed weights drawn in large shares" a
        limit; these weights are neither (uniform, spread 10), and the count is 155 times
        the cost. Found timing honest fits against the new bound.

Held (tried, refused or harmless):
- GP cost: X_train_ of 3 dimensions (DotProduct's np.inner would make (n, a, n, a)):
  refused ("X_train_ has 3 dimensions"); object X_train_: refused; complex X_train_ with an
  RBF: pdist raises before any cost. np.str_ "fixed" bounds: scan and load agree under
  pickle protocols 0-5 and joblib (plain and zlib). CompoundKernel.kernels (list or tuple,
  shared or not): "may not be set by a file". A classifier nested as a multi-class GPC's
  one-vs-rest member: refused ("not a classifier of two classes"; binary GPCs pass:
  rt84-13). Honest sizes at the documented limits load (regressor C * RBF + White over 10
  features, 2,300 samples; classifier, 960). Exponentiation chains (15 deep over 1,000
  samples: 0.5 s at 19% of the bound), kv's cost over nu (172-500 ns), einsum over targets
  (0.1-2.2 times the count), the classifier's strided gradient at the numbers bound (160
  samples x 900 scales: 0.6 s): within the count's margin. Without warm start, honest
  labels {0, 1} and a PSD K never kept the Newton loop running (20,000 random trials);
  y_train_ outside {0, 1} does (e.g. (-1000, -1000, -1) with a rank-one K), rt84-02's
  other door. sample_y / predict with NaN or 1e200 X_train_: LAPACK's SVD returns at once
  ("did not converge"). A dense non-triangular L_ makes predict_proba's scipy solve an LU:
  0.3 s at 2,340 samples (1 s complex): under a second a call.
- Bagging / forests: 20,000 shared members (refused by the sharing bound); weighted
  bagging at MAX_DRAWS (one member, float64 weights over 2**25 - 32 rows without
  replacement): 1.7 s and 766 MB growth, float32 637 MB (under 1 GB); forests with
  _n_samples_bootstrap absent (a single weighted draw per tree, bounded by MAX_DRAWS).
- Gram rule: a SparseCoder dictionary as a list of lists: refused ("not an array of
  numbers"); float16 dictionaries: the coders, NMF and SparsePCA convert them (0.08 s).
- HMAC: honest forms through the new code: 400,000 random 32-byte secrets, 200,000 of 64,
  150,000 base64 and 150,000 hex: none refused; 3,000 each of UTF-16 hex / base64 (what
  PowerShell 5's ``>`` writes) and UTF-8-BOM hex: none refused; 1 MB hex, 700 KB base64
  (wrapped or not), 4 MB raw: accepted (but rt84-12). UTF-16/UTF-32/UTF-7/BOM PEMs, UTF-16
  SSH lines, gzip of a UTF-16 PEM; base85 / Ascii85 / Z85 / base32 / base32hex / uuencode
  with begin line / xxd / od / hexdump -C / C array / Python repr / percent-encoding /
  decimal bytes of the DER; b85 and a85 of a .pem.gz; the .lzma (alone) form: all refused.
  Mid-line (``<?php __halt_compiler();``) gzip, xz, LZ4 and zip: refused. At 3736e8b: a
  shar archive (GNU sharutils stub, then a uuencoded or begin-base64 .tar.gz of the PEM),
  717 / 709 bytes: refused, as are the bare uuencode / base64 forms.
- The later fixes: 162fec9's components_ dtype rule keeps honest models (TruncatedSVD, LDA,
  NMF, a sparse random projection and BernoulliRBM fitted on int counts; PCA, FastICA,
  MiniBatchNMF, SparsePCA, DictionaryLearning and a Gaussian projection on float32; NCA:
  all scan SAFE at 3233f0d), and byte-swapped float64 (which the rule admits) multiplies
  at BLAS speed. fede5e5's dtype test in the scan agrees with the load (pickle protocols 2,
  4, 5, joblib plain and zlib, an honest float64 regressor of 1,500 samples). A float128
  ConstantKernel or length scale is no door (RBF / Matern cast the scales to float64).

Seen in /work/main's uncommitted working tree at 18:05-18:10 (the maintainer's fixes of
rt84-01..05, 10 and 13 in progress; not findings at HEAD, so no tests here): pricing every
X_train_ that is not float32/64 at 160 times a float64 feature refuses honest integer data
that costs what float64 does (RBF and Matern divide by the length scale first, pdist
converts ints and float16 to double; only DotProduct's np.inner of float16 and pdist of
float128 are slow): a GaussianProcessRegressor(C * RBF + White) fitted on 1,500 samples of
10 int64 features ("54,630,300,000 operations") is refused there, its
log_marginal_likelihood with the gradient taking 0.34-0.41 s; HEAD loads it. The
length scales' own dtype is no door: _check_length_scale casts them to float64, and a
float128 ConstantKernel costs nothing more (0.1 s).

Ideas not tested: GaussianProcessRegressor.sample_y with 256 targets (256 SVDs of the query
rows: 4.4 s for 300 rows, but what one target costs for 6.3 times the rows, inside the
MAX_COVARIANCE_TARGETS argument, so not filed); quoted-printable of the DER and uuencode
lines without their begin line (accepted; no new code involved, not filed); deflate64 and
raw zstd (magicless frames) secrets; a GaussianMixture whose float16 means_ and precisions
are multiplied per component per call (linear in what the file stores).

Ported by the maintainer at 18:55. Fixed during the attack (their tests plain): rt84-01,
02, 03, 04, 05, 10, 13 (fede5e5) and rt84-18 (the price by what is slow: distance kernels
convert samples to float64, a DotProduct does not), rt84-06 and rt84-09 (helper-141), rt84-07,
rt84-11 but its delta filter, rt84-12, and rt84-08 but UTF-16 stubs and a bzip2 or zstd
stream mid-line (helper-140; those two forms are documented limits, strict xfails with a
reason). Open, strict xfails for the next session: rt84-14 (base2lsbf), rt84-15 and rt84-16
(a fit-sized factorization on every call), rt84-17 (one kernel's length scales referenced
many times in repr), rt84-19 (weighted draws of half the rows counted by the spread rule).

Fixed in the next session (2026-12-04, from 19:50): rt84-14 and rt84-19 at 0a7835b
(``--base2lsbf`` read as bytes; weighted rounds followed one by one), rt84-17 at 9b8c522
(the printed-items bound of ``safeload.trust.structures.printing``, which also covers its
class: long parameter containers in nested estimators, tests/test_printing.py), rt84-15 and
rt84-16 at 913edd7 (helper-143: ``safeload.trust.structures.factorizations``, a per-call
factorization paid by the file's size, tests/test_factorizations.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from redteam import (
    HANG_CPU,
    PLAIN_JOBLIB_CALL,
    assert_refused_with,
    child,
    compressed_joblib,
    p256_pem_and_der,
    raw_deflate,
)

#: Why some forms stay open: documented limits (SECURITY.md).
_PREAMBLE_LIMIT = (
    "rt84-08, a documented limit (SECURITY.md): a UTF-16 stub, or a bzip2 / zstd stream right "
    "after text on the same line"
)
_DELTA_LIMIT = "rt84-11, a documented limit (SECURITY.md): xz raw with a delta filter"

_LML = "model.log_marginal_likelihood(model.kernel_.theta, eval_gradient=True)"


def _spread(n: int, d: int, dtype: Any = float) -> Any:
    """``n`` samples over ``d`` features, a one in each row (on its own feature modulo d)."""
    x = np.zeros((n, d))
    x[np.arange(n), np.arange(n) % d] = 1.0
    return x.astype(dtype)


# --- rt84-01: the per-feature price of a kernel, whatever the samples' dtype ------------------


@pytest.mark.parametrize("form", ["dot_float16", "rbf_float128", "matern_float128_memory"])
def test_rt84_01_gp_slow_dtype(tmp_path, form):
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, DotProduct, Matern

    # an honest fit on float16 (float128) data keeps X_train_ so; the kernel then runs numpy's
    # half dot loop (pdist's long double path): 5.2 ns (2.9 ns) a feature per pair where the
    # count charges 0.4 ns. 1,000 x 6,000: 32 s (9.2 s) at 76% of MAX_GP_WORK; here 500 x
    # 2,000 float16 (800 x 2,000 float128): 2.6 s (1.9 s), 16 KB (27 KB), scan SAFE, load
    # loads (pure and compiled)
    if form == "dot_float16":
        n, d, kernel, dtype = 500, 2_000, DotProduct(1.0), np.float16
    elif form == "rbf_float128":
        n, d, kernel, dtype = 800, 2_000, RBF(1.0), np.longdouble
    else:
        # (D, D / its norm and K times that, 16 bytes each: 1.1 GB where float64 is 0.55)
        n, d, kernel, dtype = 100, 2_500, Matern(np.ones(2_500), nu=0.5), np.longdouble
    x = _spread(n, d)
    model: Any = GaussianProcessRegressor(kernel=kernel, optimizer=None, alpha=1e-1)
    model.fit(x, np.arange(n) % 3 * 1.0)
    # (what fit on that data stores; a longdouble is 10 bytes in 16 on x86, and astype leaves
    # the other 6 as the allocator found them: from whatever an earlier test freed, the file
    # was 211 KB once, not 6.7 KB, so the padding is zeroed first)
    model.X_train_ = np.zeros(x.shape, dtype)
    model.X_train_[...] = x
    path = compressed_joblib(tmp_path, model, 200_000, ("xz", 1))
    if form == "matern_float128_memory":
        shown = child(PLAIN_JOBLIB_CALL.format(call=_LML), path, memory=1 << 30, cpu=30)
        assert "loaded" in shown.stdout and "call MemoryError" in shown.stdout, str(shown)
    else:
        plain = child(PLAIN_JOBLIB_CALL.format(call=_LML), path, cpu=HANG_CPU)
        assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)
    assert_refused_with(path)


# --- rt84-02: a Newton loop that never stops, priced by its factors alone ----------------------


def test_rt84_02_gpc_newton_never_stops(tmp_path):
    from sklearn.gaussian_process import GaussianProcessClassifier
    from sklearn.gaussian_process.kernels import ConstantKernel

    # K is 1e4 everywhere: from f_cached (-1e4, -1e4) a Newton step goes to (1e4, 1e4) and
    # back, the sample labelled 0 (then 1) 10,000 on the wrong side, so the likelihood is -inf
    # at every step and ``lml - previous < 1e-10`` (NaN) never stops the loop: 85 us a step,
    # priced at 8 / 3 operations; 100,000 steps, 8 s. 3.7 KB, scan SAFE, load loads (pure and
    # compiled)
    x = np.array([[0.0], [1.0]])
    model: Any = GaussianProcessClassifier(
        ConstantKernel(1e4), optimizer=None, warm_start=True, max_iter_predict=100_000
    )
    model.fit(x, [1, 0])
    model.base_estimator_.f_cached = np.array([-1e4, -1e4])  # (a warm start's mode)
    path = compressed_joblib(tmp_path, model, 4_000, ("xz", 6))
    call = "model.log_marginal_likelihood(model.kernel_.theta)"
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


# --- rt84-03: the classifier's gradient is a Python loop over theta -------------------------


def test_rt84_03_gpc_gradient_loop(tmp_path):
    from sklearn.gaussian_process import GaussianProcessClassifier
    from sklearn.gaussian_process.kernels import RBF

    # d_Z[j] for each of theta's 300,000 items (one length scale per feature) in a Python
    # loop, 9 us an item over 2 samples, priced at 0.2 us: 3 s here (2,000,000 features: 18 s,
    # 13 KB). 6 KB, scan SAFE, load loads (pure and compiled)
    d = 300_000
    x = _spread(2, d)
    model: Any = GaussianProcessClassifier(RBF(np.ones(d)), optimizer=None).fit(x, [0, 1])
    path = compressed_joblib(tmp_path, model, 10_000, ("xz", 6))
    plain = child(PLAIN_JOBLIB_CALL.format(call=_LML), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


# --- rt84-04: Matern's numeric gradient clones the kernel per length scale -------------------


def test_rt84_04_matern_clone_per_scale(tmp_path):
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import Matern

    # _approx_fprime: clone_with_theta and a kernel per free length scale, 250 us over 2
    # samples, priced at about 1 us: 8,000 features 1.9 s (30,000: 13 s at 43% of the
    # bound). scan SAFE, load loads (pure and compiled)
    d = 8_000
    model: Any = GaussianProcessRegressor(Matern(np.ones(d), nu=1.0), optimizer=None, alpha=0.1)
    model.fit(_spread(2, d), [0.0, 1.0])
    path = compressed_joblib(tmp_path, model, 10_000, ("xz", 1))
    plain = child(PLAIN_JOBLIB_CALL.format(call=_LML), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


# --- rt84-05: a classifier's targets as a column broadcast the Newton loop to n**3 ------------


@pytest.mark.parametrize("vector", ["y_train_", "W_sr_"])
def test_rt84_05_gpc_column_vectors(tmp_path, vector):
    from sklearn.gaussian_process import GaussianProcessClassifier
    from sklearn.gaussian_process.kernels import RBF

    # y_train_ (700, 1): f, pi, W and W_sr take its shape, and W_sr[:, np.newaxis] * K is
    # (700, 700, 700), 2.56 GiB, at the first Newton step of log_marginal_likelihood. W_sr_
    # (900, 1): predict_proba's W_sr_[:, np.newaxis] * K_star is (900, 900, 250) for 250
    # rows, 1.6 GB. scan SAFE, load loads (pure and compiled)
    n = 700 if vector == "y_train_" else 900
    x = np.arange(n, dtype=float)[:, None] * 100  # (K the identity: a small file)
    model: Any = GaussianProcessClassifier(RBF(1.0), optimizer=None).fit(x, np.arange(n) % 2)
    member = model.base_estimator_
    setattr(member, vector, getattr(member, vector)[:, np.newaxis])
    path = compressed_joblib(tmp_path, model, 60_000, ("xz", 6))
    if vector == "y_train_":
        call = "model.log_marginal_likelihood(model.kernel_.theta)"
    else:
        call = "model.predict_proba(numpy.zeros((250, 1)))"
    shown = child(PLAIN_JOBLIB_CALL.format(call=call), path, memory=1 << 30, cpu=30)
    assert "loaded" in shown.stdout and "call MemoryError" in shown.stdout, str(shown)
    assert_refused_with(path)


# --- rt84-06: a Gram of float16 components, priced at BLAS speed -----------------------------


@pytest.mark.parametrize("kind", ["factor_analysis", "pca"])
def test_rt84_06_half_components(tmp_path, kind):
    from sklearn.decomposition import PCA, FactorAnalysis

    # FactorAnalysis.transform: np.dot(components_ / noise_variance_, components_.T) in
    # float16, numpy's scalar loop: 1,024**3 products, 5.5 s for one row (float64: 0.075 s).
    # PCA.score: get_precision's products of components_ (and explained_variance_) alike,
    # 6.1 s. scan SAFE, load loads (pure and compiled)
    k = 1_024
    sample = np.random.RandomState(0).rand(50, k)
    model: Any
    if kind == "factor_analysis":
        model = FactorAnalysis(n_components=2).fit(sample)
        model.noise_variance_ = np.ones(k, dtype=np.float16)
        call = "model.transform(numpy.zeros((1, 1024)))"
    else:
        model = PCA(n_components=2).fit(sample)
        model.explained_variance_ = np.ones(k, dtype=np.float16)
        model.explained_variance_ratio_ = np.full(k, 1 / k, dtype=np.float16)
        model.singular_values_ = np.ones(k, dtype=np.float16)
        model.n_components_ = k
        model.noise_variance_ = np.float16(0.5)
        call = "model.score(numpy.zeros((1, 1024)))"
    model.components_ = _spread(k, k, np.float16)
    model.n_components = k
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


# --- rt84-07: raw deflate that does not end with the secret, or starts after text -------------


@pytest.mark.parametrize(
    "form",
    [
        "sync_flush",
        "permessage_deflate",
        "full_flush",
        "gzip_without_header",
        "two_streams",
        "trailing_line",
        "php_halt_compiler",
        "comment_line",
        "der_sync_flush",
        "base64_sync_flush",
    ],
)
def test_rt84_07_raw_deflate_not_whole(form):
    import base64
    import gzip
    import zlib

    from redteam import hmac_refuses

    pem, der = p256_pem_and_der()
    # the stream's final block at the secret's end is refused (rt83-07); these are accepted
    # (pure and compiled)
    assert_whole = raw_deflate(pem, zlib.Z_FINISH)
    hmac_refuses(assert_whole)
    secret = {
        "sync_flush": lambda: raw_deflate(pem, zlib.Z_SYNC_FLUSH),
        "permessage_deflate": lambda: raw_deflate(pem, zlib.Z_SYNC_FLUSH)[:-4],
        "full_flush": lambda: raw_deflate(pem, zlib.Z_FULL_FLUSH),
        "gzip_without_header": lambda: gzip.compress(pem, mtime=0)[10:],
        "two_streams": lambda: (
            raw_deflate(pem[:100], zlib.Z_FINISH) + raw_deflate(pem[100:], zlib.Z_FINISH)
        ),
        "trailing_line": lambda: assert_whole + b"\n# end\n",
        "php_halt_compiler": lambda: (
            b"<?php eval(gzinflate(substr(file_get_contents(__FILE__), "
            b"__COMPILER_HALT_OFFSET__))); __halt_compiler();" + assert_whole
        ),
        "comment_line": lambda: b"# signer public key, deflated\n" + assert_whole,
        "der_sync_flush": lambda: raw_deflate(der, zlib.Z_SYNC_FLUSH),
        "base64_sync_flush": lambda: base64.b64encode(raw_deflate(pem, zlib.Z_SYNC_FLUSH)),
    }[form]()
    inflater = zlib.decompressobj(-15)
    start = secret.find(assert_whole[:8]) if form in ("php_halt_compiler", "comment_line") else 0
    body = base64.b64decode(secret) if form == "base64_sync_flush" else secret[start:]
    assert inflater.decompress(body).startswith(pem[:60] if form != "der_sync_flush" else der)
    hmac_refuses(secret)


# --- rt84-08: a stub that is not UTF-8, and a printable magic mid-line -----------------------


def _pem_tar() -> bytes:
    import io
    import tarfile

    pem, _ = p256_pem_and_der()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("signer.pem")
        info.size = len(pem)
        tar.addfile(info, io.BytesIO(pem))
    return buf.getvalue()


#: ``zstd -19`` of :func:`_pem_tar` (217 bytes): a zstd frame, magic 28 b5 2f fd.
_ZSTD_PEM_TAR = bytes.fromhex(
    "28b52ffd0468650600628b292010b30748c8d09b0723948f5d98c1546b964a776dd426a6ca01a40000a4"
    "403405f166788a0c068ed93d91bbd699df81024b6442b10a01ad0fc0503861c7fbf6f2e4058565154c59"
    "580e2e322fa8f08196d77c91040f38feb5837e3636949a5c08ba66ce7bddfe0f6cb976b5666fde347b49"
    "2f94b98fa1d8421c6a1058346d98215db971903ca42c27f0618a52c65ef9fe13a5142b556b9cd5943252"
    "5ac9c8d99e40df1ddef90e2040336c354ac5f042d30c2998797e5b601573a80362e2855056a160d000b3"
    "49cd0125da9da3"
)


def _makeself_stub(label: bytes) -> bytes:
    return (
        b'#!/bin/sh\n# This script was generated using Makeself 2.4.5\nlabel="'
        + label
        + b'"\noffset=`head -n 4 "$0" | wc -c`\ntail -c +$offset "$0" | tar xz\nexit 0\n'
    )


@pytest.mark.parametrize(
    "form",
    [
        "latin1_gzip",
        "latin1_xz",
        "latin1_bzip2",
        "cp1252_gzip",
        pytest.param("utf16_gzip", marks=pytest.mark.xfail(strict=True, reason=_PREAMBLE_LIMIT)),
        pytest.param(
            "halt_compiler_bzip2", marks=pytest.mark.xfail(strict=True, reason=_PREAMBLE_LIMIT)
        ),
        pytest.param(
            "halt_compiler_zstd", marks=pytest.mark.xfail(strict=True, reason=_PREAMBLE_LIMIT)
        ),
        "latin1_comment_pkcs1",
    ],
)
def test_rt84_08_stub_not_utf8(form):
    import bz2
    import gzip
    import lzma

    from redteam import hmac_refuses

    if form == "latin1_comment_pkcs1":
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(65537, 2048).public_key()
        der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
        hmac_refuses("# clé du signeur\n".encode() + der)  # (UTF-8: refused, rt83-08)
        hmac_refuses("# clé du signeur\n".encode("latin-1") + der)
        return
    tar = _pem_tar()
    kind = form.rsplit("_", 1)[1]
    payload = {
        "gzip": gzip.compress(tar, mtime=0),
        "xz": lzma.compress(tar),
        "bzip2": bz2.compress(tar),
        "zstd": _ZSTD_PEM_TAR,
    }[kind]
    # the ASCII stub is refused (rt82-14); these are accepted (pure and compiled)
    hmac_refuses(_makeself_stub(b"Signer key") + payload)
    if form.startswith("latin1"):
        secret = _makeself_stub("Clé publique du signeur".encode("latin-1")) + payload
    elif form.startswith("cp1252"):
        secret = _makeself_stub(b"Signer\x92s key") + payload
    elif form.startswith("utf16"):
        secret = _makeself_stub(b"Signer key").decode().encode("utf-16") + payload
    else:
        secret = b"<?php __halt_compiler();" + payload
    hmac_refuses(secret)


# --- rt84-09: weighted draws of a few among many rows, counted as rounds over all -------------


@pytest.mark.parametrize("kind", ["isolation_forest", "bagging"])
def test_rt84_09_weighted_rounds_overcounted(tmp_path, kind):
    import time
    import warnings

    from sklearn.ensemble import BaggingRegressor, IsolationForest

    from redteam import load_honest

    # weights uniform in [0.01, 1] (spread 100): counted 2 x 100 x ln(drawn) rounds (capped
    # at drawn), a pass over every row each; numpy repeats only the draws that collided
    rng = np.random.RandomState(0)
    n = 20_000 if kind == "isolation_forest" else 50_000
    x = rng.rand(n, 3)
    weights = rng.uniform(0.01, 1.0, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (sample weights without bootstrap)
        if kind == "isolation_forest":
            model: Any = IsolationForest(random_state=0).fit(x, sample_weight=weights)
        else:
            model = BaggingRegressor(
                n_estimators=10, bootstrap=False, max_samples=0.5, random_state=0
            ).fit(x, x[:, 0], sample_weight=weights)
    started = time.process_time()
    assert model.estimators_samples_
    assert time.process_time() - started < 0.5  # (0.05-0.06 s here)
    load_honest(model, tmp_path)


# --- rt84-10: repr formats every length scale, several times -------------------------------


def test_rt84_10_kernel_repr(tmp_path):
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF

    # RBF.__repr__ formats each length scale; the estimator's repr renders the kernel several
    # times: 600,000 scales take some 2 s here (2,000,000: 7.1 s, and 15 s for _repr_html_).
    # scan SAFE, load loads (pure and compiled)
    model: Any = GaussianProcessRegressor(RBF(np.ones(600_000)))
    path = compressed_joblib(tmp_path, model, 4_000, ("xz", 6))
    plain = child(PLAIN_JOBLIB_CALL.format(call="repr(model)"), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


# --- rt84-11: xz's raw format (LZMA2 or LZMA1, no header) ------------------------------------


@pytest.mark.parametrize(
    "form",
    [
        "lzma2",
        "lzma1",
        pytest.param("delta_lzma2", marks=pytest.mark.xfail(strict=True, reason=_DELTA_LIMIT)),
        "base64_lzma2",
    ],
)
def test_rt84_11_raw_lzma(form):
    import base64
    import lzma

    from redteam import hmac_refuses

    pem, _ = p256_pem_and_der()
    chain: list[dict[str, Any]] = {
        "lzma1": [{"id": lzma.FILTER_LZMA1, "preset": 6}],
        "delta_lzma2": [
            {"id": lzma.FILTER_DELTA, "dist": 1},
            {"id": lzma.FILTER_LZMA2, "preset": 6},
        ],
    }.get(form, [{"id": lzma.FILTER_LZMA2, "preset": 6}])
    secret = lzma.compress(pem, format=lzma.FORMAT_RAW, filters=chain)
    assert lzma.decompress(secret, format=lzma.FORMAT_RAW, filters=chain) == pem
    if form == "base64_lzma2":
        secret = base64.b64encode(secret)
    hmac_refuses(lzma.compress(pem, format=lzma.FORMAT_ALONE))  # (the .lzma header: refused)
    hmac_refuses(secret)


# --- rt84-12: a long random secret in xxd -p lines, refused by the new read charges ----------


def test_rt84_12_xxd_hex_lines_refused():
    import binascii

    from safeload.signing.hmac_key import HMACKey

    # 60 hex characters a line, as ``xxd -p`` writes: 40,960 random bytes, 83 KB of text
    # (c182924 accepted 64 KB; one line of hex, or base64, of 512 KB is accepted)
    raw = np.random.RandomState(0).bytes(40_960)
    secret = b"".join(binascii.hexlify(raw[i : i + 30]) + b"\n" for i in range(0, len(raw), 30))
    HMACKey(secret)


# --- rt84-13: binary GaussianProcessClassifier members weigh nothing in the sum -------------


def test_rt84_13_binary_gpc_members_not_summed(tmp_path):
    import warnings

    from sklearn.gaussian_process import GaussianProcessClassifier
    from sklearn.gaussian_process.kernels import ConstantKernel

    # three one-vs-rest members, each a binary GaussianProcessClassifier of 800 samples whose
    # Newton loop runs its 100 steps (rt84-02's warm start): 54% of MAX_GP_WORK each, 162%
    # in all, about 3 s a call. scan SAFE, load loads (pure and compiled)
    n, k = 800, 3
    x = np.arange(n, dtype=float)[:, None]
    y = np.arange(n) % k
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model: Any = GaussianProcessClassifier(
            ConstantKernel(1e4), optimizer=None, max_iter_predict=1
        ).fit(x, y)
        members = []
        for label in range(k):
            member = GaussianProcessClassifier(
                ConstantKernel(1e4), optimizer=None, max_iter_predict=1, warm_start=True
            ).fit(x, (y == label).astype(int))
            member.base_estimator_.max_iter_predict = 100
            member.base_estimator_.f_cached = np.full(n, -1e4)
            member.base_estimator_.L_ = np.eye(n)  # (what predict_proba reads; a small file)
            members.append(member)
    model.base_estimator_.estimators_ = members
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    call = "model.log_marginal_likelihood(model.base_estimator_.estimators_[0].kernel_.theta)"
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


# --- rt84-14: basenc --base2lsbf --------------------------------------------------------------


def _base2(data: bytes, lsb_first: bool) -> bytes:
    """``basenc --base2lsbf -w0`` (or ``--base2msbf``) of ``data``."""
    bits = [format(byte, "08b") for byte in data]
    return "".join(bit[::-1] if lsb_first else bit for bit in bits).encode()


@pytest.mark.parametrize("what", ["der", "pem"])
def test_rt84_14_base2_lsb_first(what):
    from redteam import hmac_refuses

    pem, der = p256_pem_and_der()
    data = der if what == "der" else pem
    hmac_refuses(_base2(data, lsb_first=False))  # (msbf: refused)
    hmac_refuses(_base2(data, lsb_first=True))


# --- rt84-15: a random projection's inverse_transform inverts its components every call ------


@pytest.mark.parametrize("kind", ["gaussian", "sparse"])
def test_rt84_15_projection_pinv_per_call(tmp_path, kind):
    import scipy.sparse as sp
    from sklearn.random_projection import GaussianRandomProjection, SparseRandomProjection

    # compute_inverse_components=False (the default): inverse_transform runs
    # pinv(components_) on every call, an SVD of 2,048 x 2,048 for one row: 4.7 s (sparse:
    # 4.3 s). scan SAFE, load loads (pure and compiled)
    k = 2_048
    cls = GaussianRandomProjection if kind == "gaussian" else SparseRandomProjection
    model: Any = cls(n_components=2, random_state=0).fit(np.random.RandomState(0).rand(10, k))
    components = _spread(k, k)
    model.components_ = components if kind == "gaussian" else sp.csr_matrix(components)
    model.n_components_ = k
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 1))
    call = "model.inverse_transform(numpy.zeros((1, 2048)))"
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


# --- rt84-16: a mixture's sample() takes the SVD of a fit-sized covariance every call --------


@pytest.mark.parametrize("kind", ["mixture_sample", "tied_mixture", "covariance_without_precision"])
def test_rt84_16_per_call_factorization(tmp_path, kind):
    from sklearn.covariance import EmpiricalCovariance
    from sklearn.mixture import GaussianMixture

    # mixture: multivariate_normal takes the SVD of the drawn component's covariance on every
    # call: 2,048 features, sample(1): 5.4 s. covariance: get_precision() is
    # pinvh(covariance_) on every call: 2,560 features, mahalanobis of one row some 3 s.
    # scan SAFE, load loads (pure and compiled)
    sample = np.random.RandomState(0).rand(20, 3)
    model: Any
    if kind == "mixture_sample":
        f = 2_048
        model = GaussianMixture(n_components=1, covariance_type="full").fit(sample)
        eye = np.eye(f)[np.newaxis]
        model.means_ = np.zeros((1, f))
        model.covariances_ = eye
        model.precisions_cholesky_ = eye.copy()
        model.precisions_ = eye.copy()
        call = "model.sample(1)"
    elif kind == "tied_mixture":
        # (one shared 1,024 x 1,024 covariance, an SVD per drawn component: 4 of them)
        f, k = 1_024, 4
        model = GaussianMixture(n_components=2, covariance_type="tied").fit(sample)
        model.means_ = np.zeros((k, f))
        model.covariances_ = np.eye(f)
        model.precisions_cholesky_ = np.eye(f)
        model.precisions_ = np.eye(f)
        model.weights_ = np.full(k, 1 / k)
        model.n_components = k
        call = "model.sample(40)"
    else:
        f = 2_560
        model = EmpiricalCovariance(store_precision=False).fit(sample)
        model.covariance_ = np.eye(f)
        model.location_ = np.zeros(f)
        call = f"model.mahalanobis(numpy.zeros((1, {f})))"
    model.n_features_in_ = f
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 1))
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


# --- rt84-17: one RBF of 65,536 length scales, 16 times in a Sum ---------------------------


@pytest.mark.parametrize("holder", ["sum_of_16", "voting_of_8"])
def test_rt84_17_kernel_repr_references(tmp_path, holder):
    from sklearn.ensemble import VotingRegressor
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF

    # fede5e5 bounds each kernel's length scales (65,536), not the references to it: a Sum
    # of 16 references, repr 3.9 s (64: 15.5 s); 8 regressors of a VotingRegressor holding
    # it, some 7 s (32: 30 s). Under 1 KB, scan SAFE, load loads (pure and compiled, before
    # fede5e5 and at it)
    one = RBF(np.ones(65_536))
    model: Any
    if holder == "sum_of_16":
        kernel: Any = one
        for _ in range(15):
            kernel = kernel + one
        model = GaussianProcessRegressor(kernel)
    else:
        model = VotingRegressor([(f"g{i}", GaussianProcessRegressor(one)) for i in range(8)])
    path = compressed_joblib(tmp_path, model, 4_000, ("xz", 1))
    plain = child(PLAIN_JOBLIB_CALL.format(call="repr(model)"), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


# --- rt84-18: integer training samples priced as slow as float16 under a DotProduct ----------


@pytest.mark.parametrize("dtype", ["int64", ">f8"])
def test_rt84_18_samples_priced_slow(tmp_path, dtype):
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, DotProduct, WhiteKernel

    from redteam import load_honest

    # an honest fit on 1,500 x 10 int64 (or big-endian float64) features: the RBF divides by
    # its length scale, so its cost is float64's (0.6-0.7 s with the gradient); fede5e5
    # counts 160 times a feature for any dtype but native float32 / float64
    rng = np.random.RandomState(0)
    x = rng.randint(0, 10, (1_500, 10)).astype(dtype)
    kernel = ConstantKernel(1.0) * RBF(1.0) + WhiteKernel(1.0)
    honest: Any = GaussianProcessRegressor(kernel, optimizer=None).fit(x, x[:, 0] * 1.0)
    assert honest.X_train_.dtype == np.dtype(dtype)
    load_honest(honest, tmp_path)
    # and rt84-01's slow form stays refused: a DotProduct over float16 samples
    samples = _spread(500, 2_000)
    slow: Any = GaussianProcessRegressor(DotProduct(1.0), optimizer=None, alpha=1e-1)
    slow.fit(samples, np.arange(500) % 3 * 1.0)
    slow.X_train_ = samples.astype(np.float16)
    assert_refused_with(compressed_joblib(tmp_path, slow, 200_000, ("xz", 1)))


# --- rt84-19: half the rows drawn with spread weights, counted by the spread -----------------


def test_rt84_19_weighted_half_draw(tmp_path):
    import time
    import warnings

    from sklearn.ensemble import BaggingRegressor

    from redteam import load_honest

    # weights uniform in [0.1, 1] (spread 10), max_samples 0.9 of their sum: 24,859 of 50,000
    # rows a member; counted 2 x 10 x ln(24,859) + 8 rounds, a pass over every row each
    rng = np.random.RandomState(0)
    x = rng.rand(50_000, 3)
    weights = rng.uniform(0.1, 1.0, 50_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (sample weights without bootstrap)
        model: Any = BaggingRegressor(
            n_estimators=10, bootstrap=False, max_samples=0.9, random_state=0
        ).fit(x, x[:, 0], sample_weight=weights)
    started = time.process_time()
    assert model.estimators_samples_
    assert time.process_time() - started < 0.5  # (0.09 s here)
    load_honest(model, tmp_path)
