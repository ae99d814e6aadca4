/** The pg driver, loaded past its Cloudflare probe at no cost (navigator-stand-in.ts). */
import { removeNavigatorStandIn } from './navigator-stand-in.js';
import pg from 'pg';

removeNavigatorStandIn();

export default pg;
