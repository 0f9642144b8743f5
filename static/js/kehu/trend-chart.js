// The 12-month purchase (bars) and collection (line) chart. ECharts is loaded on demand.
import { number } from "../lib/format.js";

let echarts = null;

async function loadEcharts() {
  if (!echarts) echarts = await import("../../vendor/echarts/echarts.esm.min.mjs");
  return echarts;
}

/**
 * Draw (or redraw) the trend in `element`. `rows`: [{month, purchase_amount,
 * collected_amount}]; `labels`: {purchase, collected}. Returns the chart's resize().
 */
export async function drawTrend(element, rows, labels) {
  const lib = await loadEcharts();
  const locale = (document.documentElement.lang || "").startsWith("zh") ? "ZH" : "EN";
  const chart = lib.getInstanceByDom(element) || lib.init(element, null, { renderer: "canvas", locale });
  const months = rows.map((row) => row.month); // "2026-03": unambiguous in every language
  chart.setOption({
    animation: false,
    color: ["#b42318", "#2e7d32"],
    grid: { left: 8, right: 8, top: 36, bottom: 4, containLabel: true },
    legend: { top: 0, itemWidth: 14, itemHeight: 10, textStyle: { fontSize: 12 } },
    tooltip: { trigger: "axis", valueFormatter: (value) => number(value), confine: true },
    xAxis: { type: "category", data: months, axisTick: { alignWithLabel: true },
      axisLabel: { fontSize: 11, hideOverlap: true } },
    yAxis: { type: "value", axisLabel: { fontSize: 11, formatter: (value) => compact(value) },
      splitLine: { lineStyle: { color: "#e4e7eb" } } },
    series: [
      { name: labels.purchase, type: "bar", barMaxWidth: 18,
        data: rows.map((row) => Number(row.purchase_amount)) },
      { name: labels.collected, type: "line", smooth: false, symbolSize: 5,
        data: rows.map((row) => Number(row.collected_amount)) },
    ],
  }, true);
  return () => chart.resize();
}

function compact(value) {
  // 1.2万 in Chinese, 12K in English: the browser knows each language's short units.
  const lang = document.documentElement.lang || "zh-CN";
  return new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 })
    .format(value);
}
