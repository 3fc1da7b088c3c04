import { Detector } from './detector';
import type { DetectorOptions } from './detector-options';

/**
 * The embedding entry point: `const d = createDetector({ rules, alerts }); d.on('alert', ...);
 * await d.start();`. Nothing runs until start().
 */
export function createDetector(options: DetectorOptions = {}): Detector {
  return new Detector(options);
}
