import { MT19937 } from '../rng/mt19937.js'
import { BoundedMemo } from '../util/memo.js'

/**
 * The CT-graph image dataset (CT-graph f370c19 `CTgraph_images.compute_random_set`,
 * docs/environments.md §2.4): each image is a random 4x4 grid of {0, 1, 2}, upscaled to 12x12 and
 * rotated by a random angle with scikit-image 0.19.3 `transform.rotate`, then cast to uint8.
 * One numpy RandomState(image seed) drives all images in order.
 */

export const CT_GRAPH_IMAGE_SIDE = 12
export const CT_GRAPH_IMAGE_PIXELS = CT_GRAPH_IMAGE_SIDE * CT_GRAPH_IMAGE_SIDE
/** `high_value = 254 - noise_on_images_on_read`; the noise is 0 in every L2D2-C config. */
export const CT_GRAPH_HIGH_VALUE = 254

/** Largest dataset we agree to build (d2..d6 L2D2-C-style configs need at most a few thousand). */
export const MAX_DATASET_IMAGES = 1 << 16

const CELLS_PER_SIDE = 4
const CELL_SIZE = CT_GRAPH_IMAGE_SIDE / CELLS_PER_SIDE

/** The random draws behind one image, in the order the reference makes them. */
export interface CtGraphImageDraws {
  /** 16 values in {0, 1, 2}, row-major 4x4. */
  readonly cells: Uint8Array
  /** Counter-clockwise rotation in whole degrees, 0..358. */
  readonly angle: number
}

/** Draws one image's cells (`randint(0, 3, size=16)`) then its angle (`randint(0, 359)`: 359 is excluded). */
export function drawCtGraphImage(rng: MT19937): CtGraphImageDraws {
  const cells = new Uint8Array(CELLS_PER_SIDE * CELLS_PER_SIDE)
  for (let i = 0; i < cells.length; i++) cells[i] = rng.randint(0, 3)
  return { cells, angle: rng.randint(0, 359) }
}

/** The draws of the first `count` images of a dataset (what the dataset is made of). */
export function ctGraphImageDraws(imageSeed: number, count: number): CtGraphImageDraws[] {
  const rng = new MT19937(imageSeed)
  const draws: CtGraphImageDraws[] = []
  for (let i = 0; i < count; i++) draws.push(drawCtGraphImage(rng))
  return draws
}

/**
 * scikit-image 0.19.3 `transform.rotate(image, angle)` with its defaults (bilinear, mode
 * 'constant', cval 0, clip=True, resize=False, centre ((cols-1)/2, (rows-1)/2)), on a float64
 * row-major image. Returns the float64 result (before any uint8 cast).
 *
 * Exactness notes (why the code is shaped like this):
 * - The inverse map is built as skimage builds it: rotation matrix R from cos/sin of
 *   angle·(π/180) (numpy deg2rad), composed as T(+centre)·(R·T(-centre)) (`tform3 + tform2 +
 *   tform1`, each `+` a 3x3 product), and applied per output pixel as x = H0·col + H1·row + H2,
 *   y = H3·col + H4·row + H5 (`_transform_affine`). Evaluating the same products in the same
 *   order keeps us bit-compatible except where numpy's BLAS or libm rounds differently (a last-bit
 *   cos/sin difference can move a pixel by ±1; docs/environments.md §2.10).
 * - Bilinear: r0 = floor(y), r1 = ceil(y) (not floor + 1: on an integer coordinate both are the
 *   same pixel), likewise for columns; neighbours outside the image read as cval = 0.
 * - Clip (`_clip_warp_output`): to [min, max] of the input, EXCEPT that when 0 (cval) lies outside
 *   that range and inside the output's range, the range is widened to include 0. Without the
 *   exception, images with no zero cell would get their outside-corners lifted to 127.
 */
export function rotateImageBilinear(
  image: ArrayLike<number>,
  rows: number,
  cols: number,
  angleDegrees: number
): Float64Array {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows <= 0 || cols <= 0 || image.length !== rows * cols) {
    throw new RangeError(`rotateImageBilinear: image of length ${image.length} is not ${rows}x${cols}`)
  }
  if (!Number.isFinite(angleDegrees))
    throw new RangeError(`rotateImageBilinear: angle must be finite, got ${angleDegrees}`)
  const theta = angleDegrees * (Math.PI / 180)
  const cos = Math.cos(theta)
  const sin = Math.sin(theta)
  const cx = cols / 2 - 0.5
  const cy = rows / 2 - 0.5
  // R·T(-centre), third column, as a row·column dot product in index order.
  const rtx = cos * -cx + -sin * -cy + 0 * 1
  const rty = sin * -cx + cos * -cy + 0 * 1
  // T(+centre)·that: the rotation part is unchanged, the translation gains the centre.
  const h0 = 1 * cos + 0 * sin + cx * 0
  const h1 = 1 * -sin + 0 * cos + cx * 0
  const h2 = 1 * rtx + 0 * rty + cx * 1
  const h3 = 0 * cos + 1 * sin + cy * 0
  const h4 = 0 * -sin + 1 * cos + cy * 0
  const h5 = 0 * rtx + 1 * rty + cy * 1

  const pixel = (r: number, c: number): number =>
    r < 0 || r >= rows || c < 0 || c >= cols ? 0 : (image[r * cols + c] as number)

  const out = new Float64Array(rows * cols)
  let outMin = Infinity
  let outMax = -Infinity
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < cols; col++) {
      const x = h0 * col + h1 * row + h2
      const y = h3 * col + h4 * row + h5
      const r0 = Math.floor(y)
      const c0 = Math.floor(x)
      const r1 = Math.ceil(y)
      const c1 = Math.ceil(x)
      const dr = y - r0
      const dc = x - c0
      const top = (1 - dc) * pixel(r0, c0) + dc * pixel(r0, c1)
      const bottom = (1 - dc) * pixel(r1, c0) + dc * pixel(r1, c1)
      const v = (1 - dr) * top + dr * bottom
      out[row * cols + col] = v
      if (v < outMin) outMin = v
      if (v > outMax) outMax = v
    }
  }

  let lo = Infinity
  let hi = -Infinity
  for (let i = 0; i < image.length; i++) {
    const v = image[i] as number
    if (v < lo) lo = v
    if (v > hi) hi = v
  }
  const cval = 0
  if (!(lo <= cval && cval <= hi) && outMin <= cval && cval <= outMax) {
    lo = Math.min(lo, cval)
    hi = Math.max(hi, cval)
  }
  for (let i = 0; i < out.length; i++) {
    const v = out[i] as number
    out[i] = v < lo ? lo : Math.min(v, hi)
  }
  return out
}

/**
 * Renders one dataset image from its draws: `np.kron(cells, ones((3,3))) * high_value / 2`
 * (float, so 0 / 127 / 254 for high_value 254), rotated, then `astype(uint8)` (truncation toward
 * zero, which is what storing into a Uint8Array does for values in 0..255).
 */
export function renderCtGraphImage(draws: CtGraphImageDraws, highValue = CT_GRAPH_HIGH_VALUE): Uint8Array {
  const side = CT_GRAPH_IMAGE_SIDE
  const upscaled = new Float64Array(CT_GRAPH_IMAGE_PIXELS)
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      const cell = draws.cells[Math.floor(r / CELL_SIZE) * CELLS_PER_SIDE + Math.floor(c / CELL_SIZE)] as number
      upscaled[r * side + c] = (cell * highValue) / 2
    }
  }
  const rotated = rotateImageBilinear(upscaled, side, side, draws.angle)
  const out = new Uint8Array(CT_GRAPH_IMAGE_PIXELS)
  for (let i = 0; i < out.length; i++) out[i] = rotated[i] as number
  return out
}

/** A generated dataset: `count` images of 144 bytes, each a view into one shared buffer. */
export interface CtGraphImageDataset {
  readonly imageSeed: number
  readonly count: number
  readonly highValue: number
  /** Image i is `images[i]`, 144 uint8 values row-major. Shared and cached: never mutate. */
  readonly images: readonly Uint8Array[]
}

/** Generates a dataset from scratch (no cache). */
export function generateCtGraphImageDataset(
  imageSeed: number,
  count: number,
  highValue = CT_GRAPH_HIGH_VALUE
): CtGraphImageDataset {
  if (!Number.isInteger(count) || count < 0 || count > MAX_DATASET_IMAGES) {
    throw new RangeError(`CT-graph image count must be an integer in [0, ${MAX_DATASET_IMAGES}], got ${count}`)
  }
  if (!Number.isFinite(highValue) || highValue < 0 || highValue > 254) {
    throw new RangeError(`CT-graph high value must be in [0, 254], got ${highValue}`)
  }
  const rng = new MT19937(imageSeed)
  const buffer = new Uint8Array(count * CT_GRAPH_IMAGE_PIXELS)
  const images: Uint8Array[] = []
  for (let i = 0; i < count; i++) {
    const view = buffer.subarray(i * CT_GRAPH_IMAGE_PIXELS, (i + 1) * CT_GRAPH_IMAGE_PIXELS)
    view.set(renderCtGraphImage(drawCtGraphImage(rng), highValue))
    images.push(view)
  }
  return Object.freeze({ imageSeed, count, highValue, images: Object.freeze(images) })
}

/** Datasets kept by `ctGraphImageDataset`; each d2 dataset is 2.3 KB, so the bound is about memory only in silly cases. */
const datasets = new BoundedMemo<CtGraphImageDataset>(256)

/**
 * The dataset for (image seed, count, high value), memoised: the 16-task and 136-task curricula
 * create many environments over the same few seeds, and generation costs ~0.1 ms per image.
 * Least-recently-used entries are dropped beyond 256 datasets. The result is shared: read-only.
 */
export function ctGraphImageDataset(
  imageSeed: number,
  count: number,
  highValue = CT_GRAPH_HIGH_VALUE
): CtGraphImageDataset {
  return datasets.get(`${imageSeed}/${count}/${highValue}`, () =>
    generateCtGraphImageDataset(imageSeed, count, highValue)
  )
}
