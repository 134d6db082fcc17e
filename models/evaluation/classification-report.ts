/** Moved to shared/ (the page's per-class table uses it too). */
export * from '../../shared/classification-report.js';
