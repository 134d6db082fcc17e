/**
 * The workbench's steps, in order (the analyst's steps; steps.ts plans the optimizer's): their
 * ids (the URL hash #data … #predict, and the desktop menu's Go → Data … Predict & export) and
 * their names. The renderer's sidebar and the Electron menu both read this list, so they cannot
 * disagree.
 */
export const WORKBENCH_STEPS = [
  { id: 'data', label: 'Data' },
  { id: 'model', label: 'Model' },
  { id: 'training', label: 'Training' },
  { id: 'live', label: 'Live' },
  { id: 'compare', label: 'Compare' },
  { id: 'predict', label: 'Predict & export' },
] as const;

export type StepId = (typeof WORKBENCH_STEPS)[number]['id'];
