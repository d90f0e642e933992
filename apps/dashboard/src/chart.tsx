import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  readonly label: string;
  readonly values: readonly number[];
  readonly color: string;
}

/** Daily series over UTC days, drawn with uPlot; the legend names each series. */
export function DailyChart(props: {
  readonly title: string;
  readonly days: readonly string[];
  readonly series: readonly Series[];
  readonly unit: string;
}) {
  const target = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!target.current) return;
    const xs = props.days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000);
    const plot = new uPlot(
      {
        title: props.title,
        width: Math.min(960, target.current.clientWidth || 960),
        height: 280,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        // One day alone would span no time: a day either side of it.
        scales: {
          x: {
            time: true,
            range: (_plot, min, max) => (min === max ? [min - 86_400, max + 86_400] : [min, max]),
          },
        },
        axes: [{ label: 'UTC day' }, { label: props.unit }],
        series: [
          { label: 'day (UTC)' },
          ...props.series.map((series) => ({
            label: series.label,
            stroke: series.color,
            width: 2,
          })),
        ],
      },
      [xs, ...props.series.map((series) => [...series.values])],
      target.current,
    );
    return () => plot.destroy();
  }, [props.days, props.series, props.title, props.unit]);
  return <div class="chart" ref={target} role="img" aria-label={props.title} />;
}
