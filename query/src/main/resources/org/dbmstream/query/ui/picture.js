// The picture of a dirty map: bucket i of GET .../extents?buckets=N is the block at row floor(i / cols), column
// i % cols. Clean blocks are light grey; a block with any dirty byte is coloured, darker the larger its dirty share,
// so one dirty 64 KiB cluster in a 256 MiB bucket still shows.

const CLEAN = [229, 231, 235];
const LIGHT = [253, 186, 116]; // the smallest share that is dirty at all
const FULL = [185, 28, 28];

/** The bytes bucket i covers: every bucket is bucketLength long, but the window's first and last are clipped. */
export function bucketRange(summary, i) {
  const first = summary.start - (summary.start % summary.granularity);
  const from = Math.max(summary.start, first + i * summary.bucketLength);
  const to = Math.min(summary.start + summary.length, first + (i + 1) * summary.bucketLength);
  return [from, to];
}

/** The colour of a bucket: CLEAN, or between LIGHT and FULL by its dirty share. */
export function colour(dirty, covered) {
  if (dirty <= 0) return CLEAN;
  const share = Math.min(1, dirty / Math.max(1, covered));
  return LIGHT.map((c, k) => Math.round(c + (FULL[k] - c) * share));
}

/** Draws the summary on the canvas, one cellW x cellH block per bucket, and sizes the canvas to fit. */
export function drawDirtyMap(canvas, summary, layout) {
  const n = summary.dirty.length;
  const rows = Math.max(1, Math.ceil(n / layout.cols));
  canvas.width = layout.cols * layout.cellW;
  canvas.height = rows * layout.cellH;
  canvas.dataset.cols = layout.cols;
  canvas.dataset.cellW = layout.cellW;
  canvas.dataset.cellH = layout.cellH;
  canvas.dataset.buckets = n;
  canvas.dataset.bucketLength = summary.bucketLength;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(canvas.width, canvas.height);
  for (let i = 0; i < n; i++) {
    const [from, to] = bucketRange(summary, i);
    const rgb = colour(summary.dirty[i], to - from);
    const x0 = (i % layout.cols) * layout.cellW;
    const y0 = Math.floor(i / layout.cols) * layout.cellH;
    for (let y = y0; y < y0 + layout.cellH; y++) {
      for (let x = x0; x < x0 + layout.cellW; x++) {
        const p = (y * canvas.width + x) * 4;
        img.data[p] = rgb[0];
        img.data[p + 1] = rgb[1];
        img.data[p + 2] = rgb[2];
        img.data[p + 3] = 255;
      }
    }
  }
  // blocks past the last bucket (the last row's tail) stay transparent
  ctx.putImageData(img, 0, 0);
  canvas.setAttribute('aria-label', `dirty map: ${summary.dirty.filter((d) => d > 0).length} of ${n} blocks dirty`);
}

/** What the block under the pointer covers, in words. */
export function describeCell(canvas, summary, layout, event) {
  const box = canvas.getBoundingClientRect();
  const x = Math.floor((event.clientX - box.left) * canvas.width / box.width / layout.cellW);
  const y = Math.floor((event.clientY - box.top) * canvas.height / box.height / layout.cellH);
  const i = y * layout.cols + x;
  if (i < 0 || i >= summary.dirty.length || x >= layout.cols) return '';
  const [from, to] = bucketRange(summary, i);
  const share = to > from ? (100 * summary.dirty[i] / (to - from)) : 0;
  return `block ${i}: bytes ${from} to ${to} (0x${from.toString(16)}-0x${to.toString(16)}), `
    + `${summary.dirty[i]} dirty (${share.toFixed(share > 0 && share < 1 ? 2 : 0)} %)`;
}
