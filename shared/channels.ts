/**
 * Channel names and the API method each one becomes, without schemas: small enough for the
 * sandboxed preload. contract.ts adds the schemas; a type check there keeps the two in step.
 */
export const REQUEST_METHODS = {
  'app:info': 'appInfo',
  'dataset:list': 'listDatasets',
  'dataset:open': 'openDataset',
  'dataset:check': 'checkDataset',
  'dataset:describe': 'describeDataset',
  'dataset:rows': 'datasetRows',
  'dataset:cancel': 'cancelOpenDataset',
  'training:start': 'startTraining',
  'training:lr-find': 'findLearningRate',
  'training:plan': 'planRun',
  'race:start': 'startRace',
  'training:stop': 'stopTraining',
  'training:pause': 'pauseTraining',
  'training:resume': 'resumeTraining',
  'training:update': 'updateTraining',
  'training:surface': 'setSurfaceAxes',
  'run:list': 'listRuns',
  'run:get': 'getRun',
  'run:series': 'runSeries',
  'run:timeline': 'runTimeline',
  'run:snapshot': 'runSnapshot',
  'run:update': 'updateRun',
  'run:import': 'importRun',
  'run:delete': 'deleteRun',
  'run:set-threshold': 'setRunThreshold',
  'dataset:recent': 'recentDatasets',
  'dataset:reopen': 'reopenDataset',
  'dataset:choose': 'saveDatasetChoices',
  'workspace:get-state': 'getSavedState',
  'workspace:save-state': 'saveState',
  'model:get': 'getModel',
  'model:load': 'loadModel',
  'model:predict': 'predict',
  'model:score-file': 'scoreFile',
  'model:export': 'exportModel',
  'model:export-recipe': 'exportRecipe',
  'model:explain': 'explainModel',
  'model:partial-dependence': 'partialDependence',
  'model:serve': 'serveModel',
  'model:serve-stop': 'stopServingModel',
  'model:serve-stats': 'servingStats',
} as const;

export const EVENT_METHODS = {
  'training:status': 'onTrainingStatus',
  'training:progress': 'onTrainingProgress',
  'training:epoch': 'onTrainingEpoch',
  'training:event': 'onTrainingEvent',
  'scoring:progress': 'onScoringProgress',
  'dataset:progress': 'onDatasetProgress',
  'training:results': 'onTrainingResults',
  'training:surface': 'onTrainingSurface',
  'training:importance': 'onTrainingImportance',
} as const;

export type RequestChannelName = keyof typeof REQUEST_METHODS;
export type EventChannelName = keyof typeof EVENT_METHODS;
