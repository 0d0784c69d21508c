// A Cloudflare Worker: POST a PNG or JPEG image, get its LRP heatmap (over the image) as a PNG, the
// predicted class in the x-class header. The model lives in R2 (binding MODELS, key MODEL_KEY) and
// is loaded once per isolate, not bundled into the script.
import { loadModel, lrp } from 'lrp-keras';
import { heatmap, imageToTensor, overlay, toPNG } from 'lrp-keras/viz';

/** The model's promise, shared by every request this isolate serves. */
let model;

async function fetchModel(env) {
  const object = await env.MODELS.get(env.MODEL_KEY);
  if (!object) throw new Error(`no ${env.MODEL_KEY} in the MODELS bucket`);
  return loadModel(new Uint8Array(await object.arrayBuffer()));
}

export default {
  async fetch(request, env) {
    if (request.method !== 'POST') return new Response('POST a PNG or JPEG image\n', { status: 405 });
    model ??= fetchModel(env).catch((e) => {
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
  },
};
