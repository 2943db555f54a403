import { createCo3Model } from './co3/model.ts';
import { createConvioModel } from './convio/model.ts';
import { createFonedynamicsModel } from './fonedynamics/model.ts';
import type { VendorSimulatorOptions } from './options.ts';
import type { VendorModel } from './shared/model.ts';
import { createSimplybookModel } from './simplybook/model.ts';
import { createVoipnowModel } from './voipnow/model.ts';

/** The model of `options.vendor`. Adding a vendor is adding one folder and one case here. */
export function createVendorModel(
  options: VendorSimulatorOptions,
  clock: { now(): number },
): VendorModel<unknown> {
  switch (options.vendor) {
    case 'simplybook':
      return createSimplybookModel(options, clock);
    case 'co3':
      return createCo3Model(options, clock);
    case 'convio':
      return createConvioModel(options);
    case 'voipnow':
      return createVoipnowModel(options, clock);
    case 'fonedynamics':
      return createFonedynamicsModel(options);
    default:
      throw new TypeError(
        `simulator: unknown vendor ${String((options as { vendor: unknown }).vendor)}`,
      );
  }
}
