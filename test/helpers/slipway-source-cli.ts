/**
 * Runs the CLI from source (`node --import tsx test/helpers/slipway-source-cli.ts <args>`), for tests
 * that spawn it without a `npm run build`; exits with the code `main` set.
 */
import { main } from '../../src/cli/index.js';

await main(process.argv);
