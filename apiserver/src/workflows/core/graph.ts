// The graph helpers are the scheduling kernel's (scheduling/graph.ts): cron jobs' chains use them as
// much as workflows. cronjobs/dto/triggers.dto.ts reads topologicalOrder from here until the DTOs
// move to shared/src/api.
export { topologicalOrder } from '../../scheduling/graph';
