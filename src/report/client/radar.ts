/** The radar chart, drawn by the inlined Chart.js on a canvas (labels are drawn, not parsed). */
export const RADAR_JS = String.raw`
var COLORS = [['rgba(37,99,235,0.25)', 'rgb(37,99,235)'], ['rgba(234,88,12,0.25)', 'rgb(234,88,12)']];
function renderRadar(data) {
  var box = document.getElementById('radar');
  var canvas = el('canvas');
  canvas.id = 'radar-canvas';
  canvas.width = 520;
  canvas.height = 420;
  box.appendChild(canvas);
  box.appendChild(el('p', 'note', data.radar.note));
  if (typeof window.Chart !== 'function') {
    box.appendChild(el('p', 'problem', 'Chart.js did not load; the chart is missing.'));
    return;
  }
  var chart = new window.Chart(canvas, {
    type: 'radar',
    data: {
      labels: data.radar.axes,
      datasets: data.agents.map(function (a, i) {
        return { label: a.label, data: data.radar.values[i], backgroundColor: COLORS[i % 2][0], borderColor: COLORS[i % 2][1], pointBackgroundColor: COLORS[i % 2][1] };
      })
    },
    options: {
      animation: false,
      responsive: false,
      scales: { r: { min: 0, max: 1, ticks: { stepSize: 0.25, callback: function (v) { return Number(v).toFixed(2); } } } },
      plugins: {
        tooltip: { callbacks: { label: function (ctx) { return ctx.dataset.label + ': ' + data.radar.raw[ctx.datasetIndex][ctx.dataIndex]; } } }
      }
    }
  });
  // For tests and for a curious reader's console.
  window.__refereeChart = chart;
}
`;
