import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

/** The run's score distribution (samples per score bucket, as the server counts them), with Chart.js as the reports use it. */
export function ScoreChart({ distribution }: { distribution: { bucket: string; samples: number }[] }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, {
      type: 'bar',
      data: { labels: [], datasets: [{ label: 'samples', data: [], backgroundColor: ['#b91c1c', '#d97706', '#65a30d', '#15803d'] }] },
      options: { animation: false, responsive: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    return () => chart.current?.destroy();
  }, []);
  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.data.labels = distribution.map((d) => d.bucket);
    c.data.datasets[0]!.data = distribution.map((d) => d.samples);
    c.update();
  }, [distribution.map((d) => d.samples).join(',')]);
  return (
    <figure class="score-chart">
      <canvas ref={canvas} width={360} height={140} aria-label="score distribution" />
      <figcaption id="score-distribution">{distribution.map((d) => `${d.bucket}: ${d.samples}`).join(' · ')}</figcaption>
    </figure>
  );
}
