// The report room: the samples a run takes, the progress display, the end-to-end latency
// recorder, and report.json / report.html. It imports neither the pipeline nor verify:
// the pipeline fills these shapes, the commands print and write them.
export { STAGES, type IntervalLatency, type PipelineSample, type Stage } from './sample.js';
export { LatencyRecorder, type LatencySummary } from './latency.js';
export {
  REPORT_VERSION,
  buildReport,
  type BuildReportInput,
  type FaultsReport,
  type RunReport,
  type StageThroughput,
} from './buildReport.js';
export { writeReport } from './writeReport.js';
export { REPORT_READ_ERROR_CODES, ReportReadError, parseReport, readReport } from './readReport.js';
export { renderReportHtml } from './reportHtml.js';
export { renderCompareHtml, type ComparedRuns } from './compareHtml.js';
export {
  createProgressWriter,
  formatCount,
  type ProgressWriter,
  type StageTotals,
} from './progress.js';
export {
  DEFAULT_COLUMNS,
  fitText,
  terminalColumns,
  wrapLine,
  writeFitted,
} from './terminalText.js';
export { faultLines } from './faultLines.js';
