/** The prefix of every Job API route; the client's URL host is ignored (`http://job/...`). */
export const JOB_API_ROUTE_PREFIX = "/api/current-job/v0";
