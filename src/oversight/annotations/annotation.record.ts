import type { Role } from '../../identity/auth/auth-context.js';

/** A reviewer's or admin's note and labels on a session, or on one of its events (seq and eventId). */
export interface AnnotationRecord {
  id: string;
  sessionId: string;
  seq: number | null;
  eventId: string | null;
  text: string | null;
  labels: string[];
  /** visible to the session's owner (only admins share) */
  shared: boolean;
  authorId: string;
  authorRole: Extract<Role, 'reviewer' | 'admin'>;
  createdAt: Date;
}

export type NewAnnotation = Omit<AnnotationRecord, 'id' | 'createdAt'>;
