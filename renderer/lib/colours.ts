/**
 * Okabe–Ito: class colours distinguishable with the common colour-vision deficiencies, in the
 * order the decision surface, the response curve and the what-if chart give them to classes.
 */
export const CLASS_COLOURS = ['#E69F00', '#0072B2', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#F0E442', '#000000'] as const;
