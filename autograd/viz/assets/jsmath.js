// The math backend of the op table's JavaScript forms: the same functions as
// autograd.ops.FloatMath, so a rule written against `M` gives the Python row's numbers.
// Plain script text: Python wraps it (see autograd/viz/jsops.py), so it has no imports or exports.
const M = (() => {
  // Exactly rounded sum (Shewchuk's partials, then the final round-half-even fix), as Python's
  // math.fsum: a naive left-to-right sum would differ in the last bits after cancellation.
  // The partials live in one preallocated array (at most ~40 for finite doubles: they do not
  // overlap), with indexed loops: the big explorer sums 20,000 rows per nudge.
  const partials = new Float64Array(2048);
  function fsum(values) {
    let count = 0;
    for (let k = 0; k < values.length; k++) {
      let x = values[k];
      let used = 0;
      for (let j = 0; j < count; j++) {
        let y = partials[j];
        if (Math.abs(x) < Math.abs(y)) {
          const t = x;
          x = y;
          y = t;
        }
        const hi = x + y;
        const lo = y - (hi - x);
        if (lo !== 0) partials[used++] = lo;
        x = hi;
      }
      count = used;
      partials[count++] = x;
    }
    let n = count;
    if (n === 0) return 0;
    let hi = partials[--n];
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = partials[--n];
      hi = x + y;
      lo = y - (hi - x);
      if (lo !== 0) break;
    }
    if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
    return hi;
  }
  function sigmoid(x) {
    if (x >= 0) return 1 / (1 + Math.exp(-x));
    const e = Math.exp(x);
    return e / (1 + e);
  }
  return {
    exp: Math.exp,
    log: Math.log,
    sqrt: Math.sqrt,
    tanh: Math.tanh,
    sin: Math.sin,
    cos: Math.cos,
    abs: Math.abs,
    pow: Math.pow,
    sigmoid,
    softplus: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
    step: (x) => (x > 0 ? 1 : 0), // Heaviside, 0 at 0 (relu'(0) = 0, as in PyTorch)
    sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
    relu: (x) => (x > 0 ? x : 0),
    // The conventions of autograd.core.backends, once for JavaScript: 0 when c = 0, even at
    // x = 0 (x^0 is the constant 1; a term of weight 0 adds nothing).
    power_rule: (x, c) => (c !== 0 ? c * Math.pow(x, c - 1) : 0),
    scaled_log: (x, c) => (c !== 0 ? c * Math.log(x) : 0),
    scaled_reciprocal: (x, c) => (c !== 0 ? c / x : 0),
    const: (x) => x,
    fsum,
  };
})();
