/**
 * The trained MLP as an ONNX graph (opset 13, IR 8, dynamic batch dimension), written with
 * onnx-proto (protobufjs code generated from onnx.proto) straight from model.json + weights —
 * no TensorFlow, no Python.
 *
 * Input `features`, float32 [batch, n]:
 *   - every feature numeric: the raw columns in `preprocessing.inputs` order; missing values as
 *     NaN. The graph imputes (IsNaN → Where(fill)) and scales ((x − center) / scale: standard, min-max, robust or none) itself.
 *   - otherwise: the encoded vector, in `preprocessing.encoded` order (preprocessing.json says how).
 * Layers: Dense → Gemm (a tfjs kernel [in, out] is Gemm's B with transB = 0) + activation;
 *         BatchNormalization → BatchNormalization (inference form, moving statistics).
 * Output: `probabilities` [batch, n_classes] for classification (binary: [1 − p, p], negative
 * class first, in the order of `preprocessing.labels`), `prediction` [batch, 1] for regression.
 */
import { onnx } from 'onnx-proto';
import type { PreprocessingSpec } from '../prep/preprocessing.js';
import type { ModelArtifactsData, WeightsManifestEntry } from './model-files.js';
import { storedBytes } from './quantize.js';

export const ONNX_OPSET = 13;

interface LayerConfig {
  class_name: string;
  config: { name: string; units?: number; activation?: string; use_bias?: boolean; epsilon?: number; center?: boolean; scale?: boolean };
}

function tensor(name: string, dims: number[], values: ArrayLike<number>): onnx.ITensorProto {
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, floatData: Array.from(values) };
}

function node(opType: string, inputs: string[], outputs: string[], attributes: onnx.IAttributeProto[] = []): onnx.INodeProto {
  return { opType, input: inputs, output: outputs, name: outputs[0], attribute: attributes };
}

const intAttr = (name: string, i: number): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INT, i });
const floatAttr = (name: string, f: number): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f });

function valueInfo(name: string, width: number): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: [{ dimParam: 'batch' }, { dimValue: width }] },
      },
    },
  };
}

/** True when the ONNX graph takes raw columns (every feature numeric). */
export function onnxTakesRawColumns(spec: PreprocessingSpec): boolean {
  return spec.features.every((f) => f.kind === 'numeric');
}

export function buildOnnxModel(artifacts: ModelArtifactsData, spec: PreprocessingSpec, docString = ''): Uint8Array {
  const nodes: onnx.INodeProto[] = [];
  const initializers: onnx.ITensorProto[] = [];
  const manifest = new Map<string, { spec: WeightsManifestEntry; bytes: Uint8Array }>();
  let offset = 0;
  for (const w of artifacts.modelJson.weightsManifest.flatMap((g) => g.weights)) {
    const size = storedBytes(w);
    manifest.set(w.name, { spec: w, bytes: artifacts.weights.slice(offset, offset + size) });
    offset += size;
  }
  /**
   * The float32 value of a weight as a graph value name. Quantized weights stay quantized in the
   * file and are dequantized in the graph exactly as tfjs does: float16 → Cast; 8-bit → q·scale + min.
   */
  const weight = (key: string, onnxName: string): { name: string; shape: number[] } | null => {
    const entry = manifest.get(key);
    if (!entry) return null;
    const { spec: w, bytes } = entry;
    const q = w.quantization as { dtype?: string; min?: number; scale?: number } | undefined;
    if (!q) {
      initializers.push(tensor(onnxName, w.shape, new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)));
      return { name: onnxName, shape: w.shape };
    }
    if (q.dtype === 'float16') {
      initializers.push({ name: `${onnxName}_f16`, dims: w.shape, dataType: onnx.TensorProto.DataType.FLOAT16, rawData: bytes });
      nodes.push(node('Cast', [`${onnxName}_f16`], [onnxName], [intAttr('to', onnx.TensorProto.DataType.FLOAT)]));
      return { name: onnxName, shape: w.shape };
    }
    if (q.dtype === 'uint8') {
      initializers.push(
        { name: `${onnxName}_q`, dims: w.shape, dataType: onnx.TensorProto.DataType.UINT8, rawData: bytes },
        tensor(`${onnxName}_scale`, [], [q.scale!]),
        tensor(`${onnxName}_min`, [], [q.min!]),
      );
      nodes.push(
        node('Cast', [`${onnxName}_q`], [`${onnxName}_qf`], [intAttr('to', onnx.TensorProto.DataType.FLOAT)]),
        node('Mul', [`${onnxName}_qf`, `${onnxName}_scale`], [`${onnxName}_scaled`]),
        node('Add', [`${onnxName}_scaled`, `${onnxName}_min`], [onnxName]),
      );
      return { name: onnxName, shape: w.shape };
    }
    throw new Error(`ONNX export: unsupported quantization ${q.dtype} of ${key}`);
  };
  const layers = (artifacts.modelJson.modelTopology as { config: { layers: LayerConfig[] } }).config.layers;
  const raw = onnxTakesRawColumns(spec);
  const inputWidth = raw ? spec.inputs.length : spec.encoded.length;
  let current = 'features';

  if (raw) {
    // Imputation and scaling, per column: x ← isnan(x) ? fill : x;  z = (x − center) / scale
    const numeric = spec.features.map((f) => (f.kind === 'numeric' ? f : null)!);
    initializers.push(
      tensor('prep_fill', [inputWidth], numeric.map((f) => f.fill)),
      tensor('prep_center', [inputWidth], numeric.map((f) => f.center)),
      tensor('prep_scale', [inputWidth], numeric.map((f) => f.scale)),
    );
    nodes.push(
      node('IsNaN', ['features'], ['prep_missing']),
      node('Where', ['prep_missing', 'prep_fill', 'features'], ['prep_imputed']),
      node('Sub', ['prep_imputed', 'prep_center'], ['prep_centered']),
      node('Div', ['prep_centered', 'prep_scale'], ['prep_scaled']),
    );
    current = 'prep_scaled';
  }

  let width = inputWidth;
  for (const layer of layers) {
    const name = layer.config.name;
    if (layer.class_name === 'Dense') {
      const kernel = weight(`${name}/kernel`, `${name}_kernel`)!;
      const units = kernel.shape[1];
      const bias = weight(`${name}/bias`, `${name}_bias`);
      if (!bias) initializers.push(tensor(`${name}_bias`, [units], new Float32Array(units)));
      const gemmOut = `${name}_gemm`;
      nodes.push(node('Gemm', [current, kernel.name, `${name}_bias`], [gemmOut], [intAttr('transB', 0)]));
      current = gemmOut;
      const activation = layer.config.activation ?? 'linear';
      const act: Record<string, () => onnx.INodeProto> = {
        relu: () => node('Relu', [gemmOut], [`${name}_out`]),
        tanh: () => node('Tanh', [gemmOut], [`${name}_out`]),
        sigmoid: () => node('Sigmoid', [gemmOut], [`${name}_out`]),
        elu: () => node('Elu', [gemmOut], [`${name}_out`], [floatAttr('alpha', 1)]),
        // Keras/tfjs selu constants, which are ONNX's defaults too.
        selu: () => node('Selu', [gemmOut], [`${name}_out`], [floatAttr('alpha', 1.6732632423543772), floatAttr('gamma', 1.0507009873554805)]),
        softmax: () => node('Softmax', [gemmOut], [`${name}_out`], [intAttr('axis', -1)]),
      };
      if (activation !== 'linear') {
        const make = act[activation];
        if (!make) throw new Error(`ONNX export does not support the "${activation}" activation`);
        nodes.push(make());
        current = `${name}_out`;
      }
      width = units;
    } else if (layer.class_name === 'BatchNormalization') {
      const param = (k: string, onnxName: string, fallback: number) => {
        if (!weight(`${name}/${k}`, onnxName)) initializers.push(tensor(onnxName, [width], new Float32Array(width).fill(fallback)));
      };
      param('gamma', `${name}_scale`, 1);
      param('beta', `${name}_B`, 0);
      param('moving_mean', `${name}_mean`, 0);
      param('moving_variance', `${name}_var`, 1);
      nodes.push(
        node('BatchNormalization', [current, `${name}_scale`, `${name}_B`, `${name}_mean`, `${name}_var`], [`${name}_out`], [floatAttr('epsilon', layer.config.epsilon ?? 1e-3)]),
      );
      current = `${name}_out`;
    } else {
      throw new Error(`ONNX export does not support the ${layer.class_name} layer`);
    }
  }

  let output: onnx.IValueInfoProto;
  if (spec.task === 'binary') {
    // The sigmoid gives P(second label); ONNX users expect one column per class.
    initializers.push(tensor('one', [1], [1]));
    nodes.push(node('Sub', ['one', current], ['negative_probability']), node('Concat', ['negative_probability', current], ['probabilities'], [intAttr('axis', 1)]));
    output = valueInfo('probabilities', 2);
  } else if (spec.task === 'multiclass') {
    nodes.push(node('Identity', [current], ['probabilities']));
    output = valueInfo('probabilities', width);
  } else {
    nodes.push(node('Identity', [current], ['prediction']));
    output = valueInfo('prediction', 1);
  }

  const model = onnx.ModelProto.create({
    irVersion: onnx.Version.IR_VERSION,
    producerName: 'tickwork',
    producerVersion: '1',
    docString,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    graph: {
      name: 'tickwork_mlp',
      node: nodes,
      initializer: initializers,
      input: [valueInfo('features', inputWidth)],
      output: [output],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
