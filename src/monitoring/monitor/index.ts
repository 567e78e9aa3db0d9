/**
 * The monitoring loop of a server process: the monitoring file, the monitor that ticks SLOs,
 * training-serving skew, performance and alerts, and the gauges it exports.
 */
export {
  type ChannelConfig,
  loadMonitorConfig,
  type MonitorConfig,
  type PerformanceCheck,
  parseMonitorConfig,
  type SkewCheck,
  spanMs,
} from './config.js';
export {
  ModelMonitor,
  type ModelMonitorOptions,
  type MonitorLog,
  type MonitorTickSummary,
  openModelMonitor,
  type ServedModels,
} from './model-monitor.js';
export {
  loggedVersions,
  performanceTarget,
  type WindowPerformanceQuery,
  windowPerformance,
} from './performance.js';
export { checkPerformance, type PerformanceResult } from './performance-check.js';
export { type MonitorReadings, registerMonitorGauges } from './prometheus.js';
export { checkSkew, type SkewColumn, type SkewResult } from './skew.js';
