/** Moved to shared/ (the page's threshold view uses it too). */
export * from '../../shared/threshold-table.js';
