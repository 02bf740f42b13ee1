// The old name of decision-relevance.ts, only for entry-points/events/comment-handlers.ts until it
// imports decisionRelevance from there; then this file goes.
export { decisionRelevance as judgeDecision } from './decision-relevance';
