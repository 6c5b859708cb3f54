// The explorers' one forward loop and one reverse loop (autograd/viz/explorer_page.py and
// big_explorer.py join this text after the op table's JavaScript forms and before their page).
// A graph in topological order: node i is a leaf when rows[i] is null, else rows[i] is its op's
// form (OPS[name]: forward(xs), derivatives(out, xs)), opName(i) the op's name, and its parents
// are parents[start[i]] .. parents[start[i + 1] - 1], in the order the op takes them. The
// pages call `fmt` (their number format) only to word an error.
class GraphMath {
  constructor(rows, opName, start, parents, root) {
    this.rows = rows;
    this.opName = opName;
    this.start = start;
    this.parents = parents;
    this.root = root;
    this.n = rows.length;
    this.scratch = []; // one inputs array per number of inputs, reused
  }

  // The numbers node i's op reads, from `data`.
  xs(i, data) {
    const s = this.start[i];
    const k = this.start[i + 1] - s;
    const xs = this.scratch[k] || (this.scratch[k] = new Array(k));
    for (let j = 0; j < k; j++) xs[j] = data[this.parents[s + j]];
    return xs;
  }

  fail(what, i, xs) {
    return new Error(`${what} of ${this.opName(i)} at (${xs.map(fmt).join(", ")}) is not a finite number`);
  }

  // Every op node's number from its parents, written into `data`; with `leaf`, only the nodes
  // downstream of that leaf (the others keep their numbers: for f(x + h)). Returns the root's.
  forward(data, leaf = -1) {
    const { rows, n, start, parents } = this;
    const moved = leaf >= 0 ? new Uint8Array(n) : null;
    if (moved) moved[leaf] = 1;
    for (let i = leaf + 1; i < n; i++) {
      const row = rows[i];
      if (row === null) continue;
      if (moved) {
        let reached = 0;
        for (let j = start[i]; j < start[i + 1]; j++) reached |= moved[parents[j]];
        if (!reached) continue;
        moved[i] = 1;
      }
      const xs = this.xs(i, data);
      const out = row.forward(xs);
      if (!Number.isFinite(out)) throw this.fail("the value", i, xs);
      data[i] = out;
    }
    return data[this.root];
  }

  // d root / d node for every node at the numbers `data`: the chain rule from the root back,
  // each node's gradient times its op's local derivatives added into its parents'. With
  // `local` (one array per node), each local derivative is also kept there.
  backward(data, local = null) {
    const { rows, start, parents } = this;
    const grad = new Float64Array(this.n);
    grad[this.root] = 1;
    for (let i = this.n - 1; i >= 0; i--) {
      const row = rows[i];
      if (row === null) continue;
      const xs = this.xs(i, data);
      const d = row.derivatives(data[i], xs);
      const g = grad[i];
      for (let k = 0, s = start[i]; k < xs.length; k++) {
        if (!Number.isFinite(d[k])) throw this.fail("a derivative", i, xs);
        if (local) local[i][k] = d[k];
        grad[parents[s + k]] += g * d[k];
      }
    }
    return grad;
  }
}
