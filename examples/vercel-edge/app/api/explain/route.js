// A Next.js route on the Edge runtime (Vercel Edge Functions): POST a PNG or JPEG image to
// /api/explain, get its LRP heatmap (over the image) as a PNG, the predicted class in the x-class
// header. The model is a static file of the app (public/models/mnist.h5), fetched once per isolate.
import { loadModel, lrp } from 'lrp-keras';
import { heatmap, imageToTensor, overlay, toPNG } from 'lrp-keras/viz';

export const runtime = 'edge';

/** The model's promise, shared by every request this isolate serves. */
let model;

export async function POST(request) {
  model ??= loadModel(new URL('/models/mnist.h5', request.url)).catch((e) => {
    model = undefined; // try again on the next request
    throw e;
  });
  try {
    const m = await model;
    const x = imageToTensor(new Uint8Array(await request.arrayBuffer()), m);
    const scores = m.predict(x).data;
    const [map] = heatmap(lrp(m, x), { colormap: 'coldnhot', scale: 8 });
    const headers = { 'content-type': 'image/png', 'x-class': String(scores.indexOf(Math.max(...scores))) };
    return new Response(toPNG(overlay(x, map)), { headers });
  } catch (e) {
    return new Response(`${e.name}: ${e.message}\n`, { status: e.name === 'LrpKerasError' ? 422 : 500 });
  }
}
