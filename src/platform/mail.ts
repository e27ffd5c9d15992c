/** E-mail over SMTP_URL (nodemailer): one transport per URL, kept for the process. */
import nodemailer, { type Transporter } from 'nodemailer';

const transports = new Map<string, Transporter>();

export function mailTransport(url: string): Transporter {
  let t = transports.get(url);
  if (!t) {
    t = nodemailer.createTransport(url);
    transports.set(url, t);
  }
  return t;
}
