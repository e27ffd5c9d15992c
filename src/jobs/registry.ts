/**
 * Importing this module registers every job definition (each lives in its feature folder), so the
 * server, the worker and tests run the same set.
 */
import '../delivery/service';
import '../approvals/jobs';
import '../invoices/service';
import '../orders/jobs';
import '../transports/sftp/jobs';
