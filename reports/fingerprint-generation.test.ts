import { describeFingerprints } from './testing/fingerprint-suite.ts';

describeFingerprints('generation');
