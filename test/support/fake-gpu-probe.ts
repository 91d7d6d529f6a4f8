import type { GpuFigures, GpuProbe } from '../../region-backend/beacon/gpu-probe.ts';

/**
 * A GPU that cannot exist on the test machine (it has none): returns the figures it is given.
 * Named so, per the project's rule on fakes.
 */
export class FakeGpuProbe implements GpuProbe {
  constructor(public figures: GpuFigures) {}

  async read(): Promise<GpuFigures> {
    return this.figures;
  }
}
