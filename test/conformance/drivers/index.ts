import { axiosDriver } from './axios.ts';
import type { Driver } from './driver.ts';
import { fetchDriver } from './fetch.ts';
import { kyDriver } from './ky.ts';

/** Every adapter, in the order the suite runs them. */
export const drivers: Driver[] = [axiosDriver, fetchDriver, kyDriver];
