import { explanationPictures } from '../explanation-image.js';
import type { Tensor } from '../index.js';
import { grid, scoreLabel } from '../viz/grid.js';
import { toPNG } from '../viz/png.js';
import type { Explained } from './compute.js';
import type { ExplainJob } from './explain-request.js';
import { HttpError } from './http-error.js';

/** What an explain request is answered with: JSON, or a PNG picture. */
export type AnswerType = 'json' | 'png';

const TYPES: Record<string, AnswerType> = {
  'application/json': 'json',
  'application/*': 'json',
  '*/*': 'json',
  'image/png': 'png',
  'image/*': 'png',
};

/** The answer type the Accept header prefers (by q, then by order); JSON when there is no header. */
export function answerType(accept: string | null): AnswerType {
  if (!accept) return 'json';
  let best: { type: AnswerType; q: number } | undefined;
  for (const part of accept.split(',')) {
    const [range, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? 1);
    const type = TYPES[range];
    if (type && q > 0 && (!best || q > best.q)) best = { type, q };
  }
  if (!best) throw new HttpError(406, 'not_acceptable', `Accept: ${accept.slice(0, 80)}; this route answers application/json or image/png`);
  return best.type;
}

const plain = (t: Tensor): { shape: number[]; data: number[] } => ({ shape: t.shape, data: Array.from(t.data) });

/** `{model, method, relevance, logits, target, timing}`; float32 values as JSON numbers, which read back to the same bits. */
export function jsonAnswer(model: string, job: ExplainJob, result: Explained, timing: { queueMs: number; computeMs: number }): Response {
  const relevance = result.relevance.length === 1 ? plain(result.relevance[0]) : result.relevance.map(plain);
  return Response.json({ model, method: job.method, relevance, logits: plain(result.logits), target: result.target, timing });
}

/** The relevance of the (only) input drawn as a heatmap or overlay; a batch as a labelled grid (class and logit). */
export function pngAnswer(job: ExplainJob, result: Explained): Response {
  const x = job.inputs[0];
  const inputShape = x.shape.slice(1);
  const size = x.data.length / job.n;
  const samples = Array.from({ length: job.n }, (_, i) => x.data.subarray(i * size, (i + 1) * size));
  const pictures = explanationPictures(inputShape, samples, result.relevance[0].data, job.picture);
  const classes = result.logits.data.length / job.n;
  const image =
    pictures.length === 1
      ? pictures[0]
      : grid(
          pictures.map((picture, i) => ({
            image: picture,
            label: scoreLabel(result.target[i], result.logits.data[i * classes + result.target[i]]),
          })),
          { columns: Math.min(5, pictures.length), padding: 8 },
        );
  return new Response(toPNG(image) as Uint8Array<ArrayBuffer>, { headers: { 'Content-Type': 'image/png' } });
}
