import { LrpKerasError } from '../errors.js';
import { parseScale, type Interpolation, type ReadOptions } from '../input-files.js';

/**
 * Flag values as the argument parser hands them over (numbers where the text looks like one),
 * checked and converted. A bad value is a usage error: exit code 2, like an unknown flag.
 */

/** An error in the command line rather than in the files or the model. */
export function usageError(message: string): LrpKerasError {
  return Object.assign(new LrpKerasError(message), { exitCode: 2 });
}

/** The flags `explain` and `evaluate` share for reading inputs. */
export interface InputFlags {
  /** The architecture (model.to_json()) for a weights-only model file. */
  config?: string;
  scale: string | number;
  resize: boolean;
  interpolation: string;
  target: string | number;
}

export function parseTarget(value: unknown): 'max' | number {
  if (value === 'max') return 'max';
  const n = Number(value);
  if (value === '' || typeof value === 'boolean' || !Number.isInteger(n) || n < 0)
    throw usageError(`--target must be 'max' or a class index, got '${String(value)}'`);
  return n;
}

/** A class index must name one of the model's outputs (checked once the model is loaded). */
export function checkTarget(target: 'max' | number, outputShape: readonly (number | null)[]): void {
  const classes = outputShape[outputShape.length - 1];
  if (target !== 'max' && typeof classes === 'number' && target >= classes) {
    throw usageError(
      `--target ${target}: the model has ${classes} output${classes === 1 ? '' : 's'}, so the class index is 0 to ${classes - 1}`,
    );
  }
}

export function parseInteger(flag: string, value: unknown, min: number): number {
  const n = Number(value);
  if (value === '' || typeof value === 'boolean' || !Number.isInteger(n) || n < min)
    throw usageError(`--${flag} must be an integer ≥ ${min}, got '${String(value)}'`);
  return n;
}

export function parseChoice<T extends string>(flag: string, value: unknown, choices: readonly T[]): T {
  if (!choices.includes(value as T)) throw usageError(`--${flag} must be one of ${choices.join(', ')}, got '${String(value)}'`);
  return value as T;
}

export function parseReadOptions(flags: InputFlags): ReadOptions {
  let scale: number;
  try {
    scale = parseScale(flags.scale);
  } catch (e) {
    throw usageError((e as Error).message);
  }
  const interpolation = parseChoice<Interpolation>('interpolation', flags.interpolation, ['bilinear', 'nearest']);
  return { scale, resize: flags.resize ? interpolation : false };
}

/**
 * The command line with a negative number after a flag joined to it ("--target -1" → "--target=-1"):
 * the parser would read "-1" as a short flag and the value as missing.
 */
const isFlag = (arg: string | undefined): boolean => /^--[a-z-]+$/.test(arg ?? '');
const isNegativeNumber = (arg: string | undefined): boolean => /^-\d+(\.\d+)?(e[-+]?\d+)?$/i.test(arg ?? '');
export const joinNegativeValues = (argv: readonly string[]): string[] =>
  argv.flatMap((arg, i) =>
    isNegativeNumber(arg) && isFlag(argv[i - 1]) ? [] : isFlag(arg) && isNegativeNumber(argv[i + 1]) ? [`${arg}=${argv[i + 1]}`] : [arg],
  );

/** A comma-separated list without empty entries. */
export const parseList = (value: unknown): string[] =>
  String(value)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
