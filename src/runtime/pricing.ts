// Pricing is the conversation's (recorded turns are priced the same way as hosted answers).
export { priceUsage } from '../conversation/records/pricing.js';
