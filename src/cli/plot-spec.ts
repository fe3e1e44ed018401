/**
 * The picture as a Vega-Lite specification: trajectories over time (one
 * panel per variable, one colour per run), then the summary against the
 * swept inputs (a line for one input, a heat map for a grid of two, coloured
 * points for two paired inputs). Geometric sweeps get log axes.
 */
import { range } from './plot-data';
import type { PlotData, SweepPanel } from './plot-data';

const WIDTH = 620;
const PANEL_HEIGHT = 130;
const SWEEP_HEIGHT = 260;
/** Points per trajectory: more cannot be told apart at this width, and they weigh down the SVG. */
const MAX_LINE_SAMPLES = 1500;

/** Values spaced by a constant ratio (a geometric sweep), shown on a log axis. */
export function isGeometric(values: ArrayLike<number>): boolean {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length < 3 || !(sorted[0] > 0)) return false;
  const ratio = sorted[sorted.length - 1] / sorted[0];
  if (ratio < 50) return false;
  const logs = Array.from(sorted, Math.log);
  const step = (logs[logs.length - 1] - logs[0]) / (logs.length - 1);
  return logs.every((l, i) => Math.abs(l - (logs[0] + i * step)) < 1e-6 * Math.max(1, Math.abs(step) * logs.length));
}

/** Cell edges around each distinct value: halfway to the neighbours (geometrically on a log axis). */
function cellEdges(values: ArrayLike<number>, log: boolean): Map<number, [number, number]> {
  const distinct = [...new Set(Array.from(values))].sort((a, b) => a - b);
  const mid = (a: number, b: number): number => (log ? Math.sqrt(a * b) : (a + b) / 2);
  const edges = new Map<number, [number, number]>();
  distinct.forEach((v, i) => {
    const lower = i > 0 ? mid(distinct[i - 1], v) : distinct.length > 1 ? (log ? v / Math.sqrt(distinct[1] / v) : v - (distinct[1] - v) / 2) : v - 0.5;
    const upper = i < distinct.length - 1 ? mid(v, distinct[i + 1]) : distinct.length > 1 ? (log ? v * Math.sqrt(v / distinct[i - 1]) : v + (v - distinct[i - 1]) / 2) : v + 0.5;
    edges.set(v, [lower, upper]);
  });
  return edges;
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * Events as vertical rules in every panel, in their run's colour, dashed by
 * event name (the legend names them). A facet's layers share its data, so
 * each event is one row per panel, told apart from the samples by its
 * `event` field.
 */
function eventLayer(color: Record<string, unknown>): Record<string, unknown> {
  return {
    transform: [{ filter: 'isValid(datum.event)' }],
    mark: { type: 'rule', strokeWidth: 1, opacity: 0.6 },
    encoding: {
      x: { field: 't', type: 'quantitative' },
      color,
      strokeDash: { field: 'event', type: 'nominal', legend: { title: 'event', orient: 'top', direction: 'horizontal' } },
    },
  };
}

function trajectorySpec(data: PlotData): Record<string, unknown> {
  const nShown = data.variables.length;
  const nTimes = data.time.length;
  const stride = Math.max(1, Math.ceil(nTimes / MAX_LINE_SAMPLES));
  const rows: Array<Record<string, unknown>> = [];
  for (const tr of data.trajectories) {
    for (let t = 0; t < nTimes; t += stride) {
      data.variables.forEach((variable, j) => rows.push({ t: data.time[t], value: finite(tr.values[t * nShown + j]), variable, run: tr.label }));
    }
  }
  for (const e of data.events) if (Number.isFinite(e.t)) for (const variable of data.variables) rows.push({ t: e.t, variable, run: e.label, event: e.event });
  const line = {
    mark: { type: 'line', strokeWidth: 1.3, clip: true },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'time', scale: { nice: false } },
      y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
      color: {
        field: 'run',
        type: 'nominal',
        sort: data.trajectories.map((t) => t.label),
        legend: { title: null, orient: 'top', direction: 'horizontal', labelLimit: 260 },
      },
    },
  };
  // Without events the panel is the single line mark it always was.
  const marks = data.events.length === 0 ? line : { layer: [{ transform: [{ filter: '!isValid(datum.event)' }], ...line }, eventLayer(line.encoding.color)] };
  return {
    data: { values: rows },
    facet: {
      row: {
        field: 'variable',
        type: 'nominal',
        sort: data.variables,
        title: null,
        header: { labelAngle: 0, labelAlign: 'left', labelFontSize: 13, labelFontWeight: 'bold' },
      },
    },
    spec: { width: WIDTH, height: PANEL_HEIGHT, ...marks },
    resolve: { scale: { y: 'independent' } },
  };
}

function sweepSpec(panel: SweepPanel): Record<string, unknown> {
  const logs = panel.axisValues.map(isGeometric);
  const axis = (i: number): Record<string, unknown> => ({
    field: `a${i}`,
    type: 'quantitative',
    title: panel.axes[i],
    scale: logs[i] ? { type: 'log', nice: false } : { zero: false, nice: false },
  });
  const title = { text: panel.summaryLabel, subtitle: panel.note ?? '', anchor: 'start', fontSize: 13 };
  const points: Array<Record<string, number | null>> = panel.points.map((p) => ({ ...Object.fromEntries(p.coords.map((c, i) => [`a${i}`, c])), value: finite(p.value) }));
  if (panel.kind === 'line') {
    return {
      title,
      width: WIDTH,
      height: SWEEP_HEIGHT,
      data: { values: points },
      mark: { type: 'line', point: points.length <= 80 ? { size: 22 } : false, strokeWidth: 1.5 },
      encoding: { x: axis(0), y: { field: 'value', type: 'quantitative', title: panel.summaryLabel, scale: { zero: false } } },
    };
  }
  const color = { field: 'value', type: 'quantitative', title: null, scale: { scheme: 'viridis' }, legend: { orient: 'right', gradientLength: SWEEP_HEIGHT - 20 } };
  if (panel.kind === 'scatter') {
    return {
      title,
      width: WIDTH,
      height: SWEEP_HEIGHT + 60,
      data: { values: points },
      mark: { type: 'circle', size: 40, opacity: 0.9 },
      encoding: { x: axis(0), y: axis(1), color },
    };
  }
  const edges = panel.axisValues.map((values, i) => cellEdges(values, logs[i]));
  const cells = points.map((p) => {
    const [x0, x1] = edges[0].get(p.a0 as number)!;
    const [y0, y1] = edges[1].get(p.a1 as number)!;
    return { ...p, x0, x1, y0, y1 };
  });
  // The axes span exactly the cells (no "nice" padding, which on a log axis can add decades of white).
  const extent = (i: number): [number, number] => range([...edges[i].values()].flat());
  const cellAxis = (i: number, field: string): Record<string, unknown> => ({
    field,
    type: 'quantitative',
    title: panel.axes[i],
    scale: { ...(logs[i] ? { type: 'log' } : { zero: false }), nice: false, domain: extent(i) },
    axis: { grid: false },
  });
  return {
    title,
    width: WIDTH,
    height: SWEEP_HEIGHT + 60,
    data: { values: cells },
    // A stroke in the cell's own colour closes the hairline seams renderers leave between adjacent rects.
    mark: { type: 'rect', strokeWidth: 0.6 },
    encoding: {
      x: cellAxis(0, 'x0'),
      x2: { field: 'x1' },
      y: cellAxis(1, 'y0'),
      y2: { field: 'y1' },
      color,
      stroke: { ...color, legend: null },
    },
  };
}

export function plotSpec(data: PlotData): Record<string, unknown> {
  const panels: Array<Record<string, unknown>> = [];
  if (data.trajectories.length > 0 && data.variables.length > 0) panels.push(trajectorySpec(data));
  if (data.sweep !== null && data.sweep.points.length > 1) panels.push(sweepSpec(data.sweep));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: data.title, subtitle: data.subtitle, anchor: 'start', fontSize: 15, subtitleFontSize: 12, subtitleColor: '#555' },
    background: 'white',
    padding: 12,
    config: { view: { stroke: '#ddd' }, axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#eee' } },
    vconcat: panels,
    spacing: 28,
  };
}
