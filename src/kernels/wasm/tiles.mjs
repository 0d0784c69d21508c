// The GEMM micro-kernels, generated (as XNNPACK generates its variants from one template): one
// function per precision that accumulates an MR×NR tile of C in registers over all K and stores it.
// `npm run build` compiles the shipped shapes; bench/tune compiles others to compare them.

/**
 * AssemblyScript source of one micro-kernel. float32: f32x4 lanes, mul then add (never fused, so
 * every engine gives the same bits), A and B packed as float32. float64: f64x2 lanes over operands
 * packed as float64 (promoted once, when packed), so each output is the same float64 sum, in the
 * same order, as the TypeScript kernels compute; stored rounded to float32.
 * Arguments: K, the packed tile of A (MR rows interleaved), the packed panel of B (NR columns per k),
 * the padded bias at the panel's first column, C's first cell and its row pitch in bytes.
 */
export function tileSource(precision, mr, nr) {
  const f64 = precision === 'float64';
  const size = f64 ? 8 : 4;
  const lanes = 16 / size;
  const vectors = nr / lanes;
  if (!Number.isInteger(vectors) || nr % 4) throw new Error(`tile ${mr}×${nr}: NR must be a multiple of 4`);
  const op = f64 ? 'f64x2' : 'f32x4';
  const name = f64 ? 'F64' : 'F32';
  const lines = [];
  const acc = (r, v) => `c${r}_${v}`;
  lines.push(`export const MR_${name}: i32 = ${mr};`, `export const NR_${name}: i32 = ${nr};`, '');
  lines.push(`export function tile${name}(K: i32, a: usize, b: usize, bias: usize, c: usize, ldc: usize): void {`);
  for (let v = 0; v < vectors; v++) lines.push(`  const z${v} = v128.load(bias, ${16 * v});`);
  for (let r = 0; r < mr; r++) lines.push(`  let ${Array.from({ length: vectors }, (_, v) => `${acc(r, v)} = z${v}`).join(', ')};`);
  lines.push(`  const end = a + <usize>K * ${mr * size};`, '  while (a < end) {');
  for (let v = 0; v < vectors; v++) lines.push(`    const b${v} = v128.load(b, ${16 * v});`);
  for (let r = 0; r < mr; r++) {
    lines.push(`    ${r ? '' : 'let '}x = v128.load${f64 ? '64' : '32'}_splat(a, ${r * size});`);
    for (let v = 0; v < vectors; v++) lines.push(`    ${acc(r, v)} = ${op}.add(${acc(r, v)}, ${op}.mul(x, b${v}));`);
  }
  lines.push(`    a += ${mr * size};`, `    b += ${nr * size};`, '  }');
  for (let r = 0; r < mr; r++) {
    if (f64) {
      for (let v = 0; v < vectors; v += 2) {
        lines.push(`  v128.store(c, v128.shuffle<f32>(f32x4.demote_f64x2_zero(${acc(r, v)}), f32x4.demote_f64x2_zero(${acc(r, v + 1)}), 0, 1, 4, 5), ${8 * v});`);
      }
    } else {
      for (let v = 0; v < vectors; v++) lines.push(`  v128.store(c, ${acc(r, v)}, ${16 * v});`);
    }
    if (r < mr - 1) lines.push('  c += ldc;');
  }
  lines.push('}', '');
  return lines.join('\n');
}

/** The shapes shipped: the largest f32 tile that fits V8's 15 vector registers (10 sums, 2 of B, 1 of A), and 4×4 for float64. */
export const SHIPPED = { float32: [5, 8], float64: [4, 4] };
