// The demo page: a model file and an image in, the relevance of the model's prediction out, all in
// the browser. Images are decoded by the browser, scaled to the model's input size and converted to
// its channels (gray by ITU-R 601 luma, alpha dropped), as the command line does.
import { analyze, colormaps, heatmap, imageGeometry, imageToTensor, loadModel, METHODS, overlay } from './lrp-keras.js';

const $ = (id) => document.getElementById(id);
const state = { model: undefined, modelName: '', image: undefined, imageName: '' };

for (const [id, description] of Object.entries(METHODS)) {
  $('method').add(new Option(id, id, false, id === 'epsilon-plus'));
  $('method').lastElementChild.title = description;
}
for (const name of Object.keys(colormaps)) $('colormap').add(new Option(name, name, false, name === 'coldnhot'));

function status(text, isError = false) {
  $('status').textContent = text;
  $('status').className = isError ? 'error' : '';
}

const HDF5 = [0x89, 0x48, 0x44, 0x46];
const isModelFile = (bytes) => HDF5.every((b, i) => bytes[i] === b) || (bytes[0] === 0x50 && bytes[1] === 0x4b);

async function takeFiles(files) {
  try {
    for (const file of files) {
      const bytes = new Uint8Array(await file.arrayBuffer());
      if (isModelFile(bytes)) await setModel(file.name, bytes);
      else await setImage(file);
    }
    await explain();
  } catch (e) {
    status(e.message, true);
  }
}

async function setModel(name, bytes) {
  status(`Loading ${name}…`);
  const started = performance.now();
  state.model = await loadModel(bytes);
  state.modelName = name;
  const { inputShape, outputShape, kerasVersion } = state.model;
  layoutOf(inputShape); // refuse early what the page cannot feed
  $('model-info').textContent = `${name}: input (${inputShape.join(', ')}), output (${outputShape.join(', ')}), Keras ${kerasVersion ?? '?'}, loaded in ${Math.round(performance.now() - started)} ms`;
  $('summary').textContent = state.model.summary();
  const target = $('target');
  target.length = 1;
  const classes = outputShape.reduce((a, b) => a * b, 1);
  for (let c = 0; c < classes; c++) target.add(new Option(`class ${c}`, String(c)));
  status(state.image ? '' : 'Model loaded; now an image.');
}

async function setImage(file) {
  state.image = await createImageBitmap(file);
  state.imageName = file.name;
  if (!state.model) status('Image loaded; now a model file.');
}

/** How the model reads an image (lrp-keras/viz's imageGeometry), or why the page cannot feed it. */
function layoutOf(shape) {
  const geometry = imageGeometry(shape);
  if (!geometry) throw new Error(`This page feeds images; the model's input (${shape.join(', ')}) is not an image shape (H, W, C), (C, H, W), (H, W) or (side²).`);
  return { ...geometry, flat: shape.length === 1 };
}

/**
 * The image as one sample in the model's layout, pixels in [0, range]: the browser decodes and
 * resizes it (any format it reads, smoothed), imageToTensor converts channels and layout.
 */
function toInput(bitmap, shape, range) {
  const layout = layoutOf(shape);
  const height = layout.height ?? bitmap.height;
  const width = layout.width ?? bitmap.width;
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, width, height);
  const { data } = context.getImageData(0, 0, width, height);
  return imageToTensor({ width, height, channels: 4, data }, { inputShape: shape }, { scale: range / 255 });
}

function paint(canvasId, image) {
  const canvas = $(canvasId);
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.getContext('2d').putImageData(new ImageData(image.data, image.width, image.height), 0, 0);
}

async function explain() {
  $('explain').disabled = !(state.model && state.image);
  if (!state.model || !state.image) return;
  try {
    const { model } = state;
    const layout = layoutOf(model.inputShape);
    const range = Number($('range').value);
    const method = $('method').value;
    const targetChoice = $('target').value;
    const x = toInput(state.image, model.inputShape, range);
    status(`Explaining with ${method}…`);
    await new Promise((resolve) => setTimeout(resolve, 0)); // let the status paint
    const started = performance.now();
    const probabilities = model.predict(x).data;
    const logits = model.logits(x).data;
    const predicted = probabilities.indexOf(Math.max(...probabilities));
    const target = targetChoice === 'max' ? predicted : Number(targetChoice);
    const relevance = analyze(model, x, { method, target, ...(range !== 1 ? { high: range } : {}) });
    const ms = Math.round(performance.now() - started);
    // Enlarge small inputs by a whole factor to about 224 pixels.
    const factor = Math.max(1, Math.floor(224 / Math.max(layout.height, layout.width)));
    const mapOptions = layout.flat
      ? { width: layout.width }
      : { channelsLast: layout.channelsLast };
    const [map] = heatmap(relevance, { ...mapOptions, colormap: $('colormap').value, normalize: 'symmetric', scale: factor });
    const picture = layout.flat ? { shape: [layout.height, layout.width], data: x.data } : x;
    const overlayOptions = { channelsLast: layout.channelsLast, inputRange: [0, range] };
    paint('input-canvas', overlay(picture, map, { ...overlayOptions, alpha: 0 }));
    paint('heatmap-canvas', map);
    paint('overlay-canvas', overlay(picture, map, { ...overlayOptions, alpha: 0.65 }));
    showScores(probabilities, logits, predicted);
    let total = 0;
    for (const r of relevance.data) total += r;
    status(`Predicted class ${predicted} (p = ${probabilities[predicted].toFixed(4)}); ${method} for class ${target}: ΣR = ${total.toPrecision(4)} (logit ${logits[target].toPrecision(4)}), ${ms} ms`);
  } catch (e) {
    status(e.message, true);
  }
}

function showScores(probabilities, logits, predicted) {
  const rows = [...probabilities.keys()].sort((a, b) => probabilities[b] - probabilities[a]).slice(0, 5);
  const body = $('scores').tBodies[0];
  body.replaceChildren(...rows.map((c) => {
    const row = body.insertRow();
    row.insertCell().textContent = c === predicted ? `${c} (predicted)` : String(c);
    row.insertCell().textContent = probabilities[c].toFixed(4);
    row.insertCell().textContent = logits[c].toFixed(3);
    return row;
  }));
  $('scores').hidden = false;
}

const drop = $('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  takeFiles([...e.dataTransfer.files]);
});
$('model-file').addEventListener('change', (e) => takeFiles([...e.target.files]));
$('image-file').addEventListener('change', (e) => takeFiles([...e.target.files]));
for (const id of ['method', 'target', 'colormap', 'range']) $(id).addEventListener('change', explain);
$('explain').addEventListener('click', explain);
