/** One line (or set of points) on a LineChart. */
export interface Series {
  label: string;
  points: { x: number; y: number }[];
  color: string;
  width?: number;
  dashed?: boolean;
  /** In a scatter chart: draw this series as a line (a reference line) instead of points. */
  line?: boolean;
}
