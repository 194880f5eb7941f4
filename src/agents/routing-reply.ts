import { z } from 'zod';
import { parseJsonReply } from './json-reply';

/** What the router must answer; a number sent as a string ("0.9") is accepted. */
export const routingReplySchema = z.object({
  agent_name: z.string().trim().min(1),
  agent_type: z.string().trim().default(''),
  confidence: z
    .union([
      z.number(),
      z
        .string()
        .trim()
        .regex(/^\d*\.?\d+$/)
        .transform(Number),
    ])
    .pipe(z.number().min(0).max(1)),
  reasoning: z.string().trim().default(''),
});

export type RoutingReply = z.infer<typeof routingReplySchema>;

export type RoutingReplyParse = { ok: true; reply: RoutingReply } | { ok: false; error: string };

export function parseRoutingReply(text: string): RoutingReplyParse {
  const json = parseJsonReply(text);
  if (!json.ok) return json;
  const parsed = routingReplySchema.safeParse(json.value);
  if (parsed.success) return { ok: true, reply: parsed.data };
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'reply'}: ${i.message}`);
  return { ok: false, error: problems.join('; ') };
}
