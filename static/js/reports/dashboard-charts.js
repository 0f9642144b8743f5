// The dashboard's ECharts: visits and plan per rep, the month day by day, offices side by
// side, grades per office (start of month against now). ECharts is loaded on demand.
import { number } from "../lib/format.js";

let echarts = null;

async function lib() {
  if (!echarts) echarts = await import("../../vendor/echarts/echarts.esm.min.mjs");
  return echarts;
}

const COLORS = ["#1f6feb", "#2e7d32", "#b42318", "#9a6700", "#6e40c9"];

async function chartIn(element) {
  const e = await lib();
  const locale = (document.documentElement.lang || "").startsWith("zh") ? "ZH" : "EN";
  return e.getInstanceByDom(element) || e.init(element, null, { renderer: "canvas", locale });
}

function base(categories, { horizontal = false } = {}) {
  const category = { type: "category", data: categories, axisTick: { alignWithLabel: true },
    axisLabel: { fontSize: 11, hideOverlap: true } };
  const value = { type: "value", minInterval: 1, axisLabel: { fontSize: 11 },
    splitLine: { lineStyle: { color: "#e4e7eb" } } };
  return {
    animation: false,
    color: COLORS,
    grid: { left: 8, right: 12, top: 34, bottom: 4, containLabel: true },
    legend: { top: 0, itemWidth: 14, itemHeight: 10, textStyle: { fontSize: 12 } },
    tooltip: { trigger: "axis", valueFormatter: (v) => number(v), confine: true },
    xAxis: horizontal ? value : category,
    yAxis: horizontal ? { ...category, inverse: true } : value,
  };
}

/** Bars per rep: planned, done on the day, visits. */
export async function drawReps(element, reps, labels) {
  const chart = await chartIn(element);
  const series = [["planned", labels.planned], ["done", labels.done], ["visits", labels.visits]]
    .map(([key, name]) => ({ name, type: "bar", barMaxWidth: 14, data: reps.map((r) => r[key]) }));
  chart.setOption({ ...base(reps.map((r) => r.name), { horizontal: true }), series }, true);
  return chart;
}

/** Lines of the month: planned, done on the day, visits, flagged. */
export async function drawDaily(element, days, labels) {
  const chart = await chartIn(element);
  const series = [["planned", labels.planned], ["done", labels.done], ["visits", labels.visits]]
    .map(([key, name]) => ({ name, type: "line", symbolSize: 4, data: days.map((d) => d[key]) }));
  series.push({ name: labels.flagged, type: "bar", barMaxWidth: 8,
    data: days.map((d) => d.flagged) });
  chart.setOption({ ...base(days.map((d) => d.day.slice(5))), series }, true);
  return chart;
}

/** Offices side by side: adherence (%) on the right axis, visits and planned as bars. */
export async function drawOffices(element, offices, labels) {
  const chart = await chartIn(element);
  const option = base(offices.map((o) => o.name));
  option.yAxis = [option.yAxis, { type: "value", max: 100, axisLabel: { formatter: "{value}%" },
    splitLine: { show: false } }];
  option.series = [
    { name: labels.planned, type: "bar", barMaxWidth: 18, data: offices.map((o) => o.planned) },
    { name: labels.visits, type: "bar", barMaxWidth: 18, data: offices.map((o) => o.visits) },
    { name: labels.adherence, type: "line", yAxisIndex: 1,
      data: offices.map((o) => o.adherence_pct) },
  ];
  chart.setOption(option, true);
  return chart;
}

/** Grades per office: a stacked bar at the start of the month and one now. */
export async function drawGrades(element, grades, labels) {
  const chart = await chartIn(element);
  const categories = grades.flatMap((g) => [`${g.name} · ${labels.start}`, `${g.name} · ${labels.now}`]);
  const series = ["A", "B", "C"].map((grade) => ({
    name: labels.grade(grade), type: "bar", stack: "grades", barMaxWidth: 22,
    data: grades.flatMap((g) => [g[grade].start, g[grade].now]),
  }));
  chart.setOption({ ...base(categories, { horizontal: true }), series }, true);
  return chart;
}

export function resizeAll(charts) {
  for (const chart of charts) if (chart) chart.resize();
}
