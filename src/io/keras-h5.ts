import { LrpKerasError } from '../errors.js';
import type { H5AttrValue, H5File, H5Group } from './hdf5.js';

/** One stored weight: its name as Keras wrote it, its shape, its values. */
export interface WeightTensor {
  name: string;
  shape: number[];
  /** As stored (`float32`, `int8`, …; absent: float32); the layer refuses non-float weights, naming itself. */
  dtype?: string;
  data: Float32Array;
}

/** What any Keras file kind boils down to: the architecture (if stored) and weights by layer group. */
export interface KerasArchive {
  fileName: string;
  /** `model_config` JSON text or object; undefined for weights-only files. */
  config: unknown;
  kerasVersion?: string;
  backend?: string;
  /** Weights of each layer group in `weight_names` order (trainable first, then non-trainable). */
  groups: Map<string, WeightTensor[]>;
  /** Stored weights that match no layer of the config (reported after the layers' support is checked). */
  unmatched?: string[];
}

const asString = (v: H5AttrValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** A string-list attribute in every form Keras writes it: whole, or split into name0, name1, … chunks. */
export function stringListAttr(group: H5Group, name: string, where: string): string[] | undefined {
  const value = group.attr(name);
  if (value === undefined && group.attr(`${name}0`) !== undefined) {
    const parts: string[] = [];
    for (let i = 0; ; i++) {
      const chunk = group.attr(`${name}${i}`);
      if (chunk === undefined) break;
      parts.push(...toStringList(chunk, `${name}${i}`, where));
    }
    return parts;
  }
  return value === undefined ? undefined : toStringList(value, name, where);
}

function toStringList(value: H5AttrValue, name: string, where: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length === 0) return [];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw new LrpKerasError(`${where}: attribute ${name} should hold names, found ${JSON.stringify(value).slice(0, 80)}`);
}

/** Read a Keras HDF5 file (full model or weights only) into a KerasArchive. */
export function readKerasH5(file: H5File, fileName: string): KerasArchive {
  const root = file.root;
  const config = asString(root.attr('model_config'));
  const weightsNode = root.get('model_weights');
  const weightsGroup = config !== undefined && weightsNode?.kind === 'group' ? weightsNode : root;
  const layerNames = stringListAttr(weightsGroup, 'layer_names', fileName);
  if (layerNames === undefined) {
    throw new LrpKerasError(`${fileName}: an HDF5 file, but not a Keras model: no model_config and no layer_names`);
  }
  return {
    fileName,
    config,
    kerasVersion: asString(root.attr('keras_version')) ?? asString(weightsGroup.attr('keras_version')),
    backend: asString(root.attr('backend')) ?? asString(root.attr('keras_backend')) ?? asString(weightsGroup.attr('backend')),
    groups: readWeightGroups(weightsGroup, layerNames, fileName),
  };
}

/** Resolve every weight through `weight_names`, never by guessing paths; name what is missing. */
export function readWeightGroups(weightsGroup: H5Group, layerNames: string[], fileName: string): Map<string, WeightTensor[]> {
  const groups = new Map<string, WeightTensor[]>();
  for (const layer of layerNames) {
    const group = weightsGroup.get(layer);
    if (group?.kind !== 'group') throw new LrpKerasError(`${fileName}: layer_names lists '${layer}' but the file has no group for it`);
    const weightNames = stringListAttr(group, 'weight_names', `${fileName}: layer '${layer}'`) ?? [];
    groups.set(
      layer,
      weightNames.map((weightName) => {
        const dataset = group.get(weightName);
        if (dataset?.kind !== 'dataset') {
          throw new LrpKerasError(`${fileName}: layer '${layer}' lists weight '${weightName}' but the file has no dataset for it`);
        }
        return { name: weightName, shape: dataset.shape, dtype: dataset.dtype, data: dataset.readFloat32() };
      }),
    );
  }
  return groups;
}
