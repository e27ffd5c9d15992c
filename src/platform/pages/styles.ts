/**
 * The one stylesheet of every page (served at STYLESHEET_PATH, so the pages' Content-Security-Policy
 * needs no 'unsafe-inline'). Plain CSS, no framework: system fonts, one accent colour, tables and
 * forms that read well at the ~1000 px of a buyer's punchout iframe and on a phone.
 */
import { createHash } from 'node:crypto';

export const STYLESHEET = `
:root{--ink:#1d2433;--muted:#5b6475;--line:#e2e6ee;--bg:#f5f7fa;--card:#fff;--brand:#1f3a5f;--brand-ink:#fff;
--accent:#2563eb;--accent-dark:#1d4ed8;--ok:#15803d;--ok-bg:#ecfdf3;--warn:#a16207;--warn-bg:#fefce8;
--err:#b91c1c;--err-bg:#fef2f2;--info-bg:#eff6ff;--radius:6px}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;display:flex;flex-direction:column;min-height:100vh}
a{color:var(--accent)}a:hover{color:var(--accent-dark)}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:9}
.site-header{background:var(--brand);color:var(--brand-ink);box-shadow:0 1px 3px rgba(0,0,0,.2)}
.site-header .bar{max-width:1120px;margin:0 auto;padding:10px 20px;display:flex;flex-wrap:wrap;align-items:center;gap:10px 22px}
.identity{display:flex;flex-direction:column;line-height:1.25}
.brand{color:var(--brand-ink);text-decoration:none;white-space:nowrap;font-weight:700;font-size:17px;letter-spacing:.01em}
.brand:hover{color:var(--brand-ink)}
.identity .sub{font-size:13px;opacity:.85;display:flex;gap:8px;align-items:baseline}
.identity .area{text-transform:uppercase;letter-spacing:.08em;font-size:12px;font-weight:600}
.badge{display:inline-block;font-size:12px;font-weight:600;padding:1px 8px;border-radius:999px;background:rgba(255,255,255,.18);color:inherit;font-style:normal}
.site-header form.search{display:flex;gap:6px;flex:1 1 160px;max-width:380px}
.site-header form.search input{flex:1;min-width:0;width:110px;border:0;border-radius:var(--radius);padding:7px 10px;font:inherit}
.site-header form.search button{background:#fff;color:var(--brand);border-color:#fff}
.site-header nav{margin-left:auto;min-width:0}
.site-header nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;justify-content:flex-end;gap:4px}
.site-header nav a{display:block;white-space:nowrap;color:var(--brand-ink);text-decoration:none;padding:6px 12px;border-radius:var(--radius);font-weight:500}
.site-header nav a:hover{background:rgba(255,255,255,.12)}
.site-header nav a[aria-current=page]{background:rgba(255,255,255,.2)}
.site-header .bar:has(> form.exit){column-gap:18px}
.site-header form.exit button{background:transparent;color:var(--brand-ink);border-color:rgba(255,255,255,.5);padding:6px 10px;font-weight:500;white-space:nowrap}
.site-header form.exit button:hover{background:rgba(255,255,255,.12)}
.back-form{margin:0 0 12px}.back-form p{margin:8px 0 0}
.account{display:flex;align-items:center;gap:10px;font-size:14px}
.account button{background:transparent;color:var(--brand-ink);border-color:rgba(255,255,255,.5);padding:4px 10px}
main.content{flex:1;width:100%;max-width:1120px;margin:0 auto;padding:24px 20px 40px}
h1{font-size:24px;line-height:1.25;margin:0 0 16px}
h2{font-size:18px;margin:28px 0 10px}
p{margin:0 0 12px}
.lead{color:var(--muted);margin-top:-8px}
.card{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:18px 20px;margin:0 0 18px}
table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);border-radius:var(--radius);overflow:hidden;margin:0 0 18px}
th,td{padding:9px 12px;text-align:left;border-bottom:1px solid var(--line);vertical-align:middle}
th{background:#f0f3f8;font-size:13px;font-weight:600;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
tbody tr:hover td{background:#fafbfd}
tr:last-child td{border-bottom:0}
tfoot th,tfoot td,tr.total th,tr.total td{background:#f8fafc;font-weight:700;color:var(--ink);text-transform:none;font-size:15px;letter-spacing:0}
.num,td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.muted,small{color:var(--muted)}
.flag{display:inline-block;color:var(--err);background:var(--err-bg);border-radius:4px;padding:0 6px;font-weight:600}
td.flag{display:table-cell}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:6px 24px;margin:0 0 18px}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;font-weight:500}
ul.tiles{list-style:none;padding:0;margin:0 0 18px;display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:12px}
ul.tiles a{display:block;background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:14px 16px;text-decoration:none;font-weight:600;color:var(--ink)}
ul.tiles a:hover{border-color:var(--accent);color:var(--accent)}
button,.button{display:inline-block;font:inherit;font-weight:600;font-size:14px;line-height:1.2;padding:7px 14px;border-radius:var(--radius);border:1px solid var(--line);background:#fff;color:var(--ink);cursor:pointer;text-decoration:none}
button:hover,.button:hover{border-color:#c3cad8;color:var(--ink)}
button.primary,.button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
button.primary:hover,.button.primary:hover{background:var(--accent-dark);color:#fff}
button.danger{color:var(--err);border-color:#f1c4c4}
button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid rgba(37,99,235,.45);outline-offset:1px}
input[type=text],input[type=search],input[type=password],input[type=date],input:not([type]),select{font:inherit;padding:6px 9px;border:1px solid #c9d0dc;border-radius:var(--radius);background:#fff;color:var(--ink)}
input.qty{width:6em;text-align:right}
form.inline{display:inline-flex;gap:6px;align-items:center;margin:0}
form.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-end;background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:14px 16px;margin:0 0 18px}
form.filters label,form.stack label{display:flex;flex-direction:column;gap:4px;font-size:13px;color:var(--muted);font-weight:600}
form.filters input,form.filters select,form.filters button{height:36px}
.card.sign-in{max-width:560px}
.scroll-x{overflow-x:auto;margin:0 0 18px;border-radius:var(--radius)}.scroll-x table{margin:0}
.nowrap{white-space:nowrap}
form.stack{display:flex;flex-direction:column;gap:14px;max-width:420px}
form.stack input{width:100%}
td.change{min-width:260px;font-size:13px;overflow-wrap:anywhere;color:var(--muted)}
pre.doc{background:#0f172a;color:#e2e8f0;padding:12px 14px;border-radius:var(--radius);overflow:auto;max-height:560px;margin:0 0 18px;font:13px/1.45 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;overflow-wrap:anywhere}
pre.doc .tag{color:#93c5fd}pre.doc .attr{color:#fcd34d}pre.doc .value,pre.doc .str{color:#86efac}pre.doc .comment{color:#94a3b8}pre.doc .seg,pre.doc .key{color:#f9a8d4;font-weight:600}pre.doc .sep{color:#64748b}pre.doc .num{color:#fdba74}pre.doc .mask{background:#7f1d1d;color:#fecaca}
textarea{font:inherit;padding:6px 9px;border:1px solid #c9d0dc;border-radius:var(--radius);width:100%;min-height:64px}
fieldset{border:1px solid var(--line);border-radius:var(--radius);padding:8px 14px 12px;margin:0}
fieldset legend{font-size:13px;color:var(--muted);font-weight:600;padding:0 4px}
form.stack label.inline{display:inline-flex;flex-direction:row;align-items:center;gap:6px;margin-right:16px;color:var(--ink)}
form.stack label.inline input{width:auto}
.actions{display:flex;flex-wrap:wrap;gap:10px;align-items:center;margin:6px 0 18px}
.flash{border-radius:var(--radius);padding:11px 14px;margin:0 0 18px;border:1px solid;border-left-width:4px}
.flash p{margin:4px 0 0}.flash ul{margin:6px 0 0;padding-left:20px}
.flash-success{background:var(--ok-bg);border-color:#b7e4c7;border-left-color:var(--ok)}
.flash-info{background:var(--info-bg);border-color:#c7dbfb;border-left-color:var(--accent)}
.flash-warning{background:var(--warn-bg);border-color:#f3e2a4;border-left-color:var(--warn)}
.flash-error{background:var(--err-bg);border-color:#f5c2c2;border-left-color:var(--err)}
.empty{background:var(--card);border:1px dashed #cfd6e2;border-radius:var(--radius);padding:28px;text-align:center;color:var(--muted)}
nav.pagination{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin:0 0 18px}
nav.pagination .summary{margin:0 12px 0 0;color:var(--muted);font-size:14px}
nav.pagination a,nav.pagination span.page{display:inline-block;min-width:34px;text-align:center;padding:5px 10px;border:1px solid var(--line);border-radius:var(--radius);background:#fff;text-decoration:none;font-size:14px}
nav.pagination span.page[aria-current=page]{background:var(--accent);border-color:var(--accent);color:#fff}
nav.pagination .gap{padding:0 4px;color:var(--muted)}
nav.pagination .disabled{color:#a5adbb}
.error-page{max-width:640px;margin:40px auto;text-align:center}
.error-page .code{font-size:56px;font-weight:800;color:#c9d0dc;line-height:1;margin:0 0 8px}
.error-page .error{font-size:17px}
.error-page .ref{color:var(--muted);font-size:13px}
.tiles .figure{display:block;font-size:26px;font-weight:700;line-height:1.2}.tiles .bad .figure{color:var(--err)}
.tiles .figure-label{font-weight:500;color:var(--muted);font-size:14px}
svg.chart{display:block;width:100%;height:auto;max-width:1080px;background:var(--card);border:1px solid var(--line);border-radius:var(--radius);margin:0 0 18px}
.site-footer{border-top:1px solid var(--line);background:#fff;color:var(--muted);font-size:13px}
.site-footer .bar{max-width:1120px;margin:0 auto;padding:14px 20px;display:flex;flex-wrap:wrap;gap:6px 18px;justify-content:space-between}
form.partner-form fieldset{margin:0 0 14px;background:var(--card)}.fields{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:10px 18px}label.field{display:flex;flex-direction:column;gap:4px;font-size:13px;color:var(--muted);font-weight:600}label.field code{font-weight:400;font-size:12px}label.field input,label.field select{width:100%;font-weight:400}label.field textarea{font-weight:400}label.field.invalid input,label.field.invalid select,label.field.invalid textarea{border-color:var(--err)}textarea{font:13px/1.4 ui-monospace,Menlo,monospace;padding:6px 9px;border:1px solid #c9d0dc;border-radius:var(--radius);width:100%;color:var(--ink)}.once{font:15px ui-monospace,Menlo,monospace;background:var(--warn-bg);border:1px solid #f3e2a4;padding:8px 12px;border-radius:var(--radius);overflow-wrap:anywhere}td.err{font-size:13px;color:var(--muted);overflow-wrap:anywhere;min-width:160px}pre.snippet{white-space:pre-wrap;overflow-wrap:anywhere;font-size:12px;background:#f8fafc;border:1px solid var(--line);border-radius:var(--radius);padding:8px 10px;max-height:240px;overflow:auto}
ul.evidence{list-style:none;padding:0;margin:0 0 18px;display:grid;gap:10px}
ul.evidence>li{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--err);border-radius:var(--radius);padding:12px 16px}
ul.evidence>li>h3{font-size:15px;margin:0 0 6px}ul.evidence table{margin:8px 0 0}
address{font-style:normal;white-space:pre-line}
nav.neighbours{display:flex;flex-wrap:wrap;justify-content:space-between;gap:8px 16px;align-items:center;margin:0 0 14px}
td.deviates{color:var(--err);font-weight:600}
.columns{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:0 24px}
@media (max-width:640px){.site-header nav{margin-left:0}th,td{padding:7px 8px}dl.facts{grid-template-columns:1fr}}
.visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;padding:0;border:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.scroll-x{position:relative}
.brand{display:inline-flex;align-items:center;gap:8px}.brand img.logo{height:28px;width:auto;max-width:140px;object-fit:contain;background:#fff;border-radius:4px;padding:2px}
.thumb{display:block;object-fit:contain;background:#fff;border:1px solid var(--line);border-radius:var(--radius)}
.thumb-small{width:56px;height:56px}.thumb-large{width:240px;height:240px;max-width:100%}
.thumb.no-image{background:repeating-linear-gradient(45deg,#f3f5f9,#f3f5f9 6px,#eaeef4 6px,#eaeef4 12px)}
td.pic{width:72px}table.products td .sku{font-size:13px}
td.row-actions{white-space:nowrap}td.row-actions form{margin:2px 0}
button.link{background:none;border:0;color:var(--accent);padding:4px 6px;font-weight:600;text-decoration:underline}
.avail{display:inline-block;font-size:13px;font-weight:600;border-radius:999px;padding:1px 9px;white-space:nowrap}
.avail-in-stock{color:var(--ok);background:var(--ok-bg)}.avail-lead-time{color:var(--warn);background:var(--warn-bg)}
.avail-out-of-stock{color:var(--err);background:var(--err-bg)}
.category-tree ul{list-style:none;margin:0;padding:0}
.category-tree ul.tree-roots{display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:12px}
.category-tree li.card{margin:0;padding:14px 16px}.category-tree h2{font-size:16px;margin:0 0 6px}
.category-tree li li,.subcategories li{margin:3px 0}.category-tree li li li{padding-left:14px}
.category-tree a,.subcategories a{text-decoration:none;font-weight:600}
.count{display:inline-block;min-width:24px;text-align:center;font-size:12px;font-weight:600;color:var(--muted);background:#eef1f6;border-radius:999px;padding:0 7px}
.subcategories>ul{list-style:none;padding:0;margin:0 0 16px;display:flex;flex-wrap:wrap;gap:8px}
.subcategories>ul>li{background:var(--card);border:1px solid var(--line);border-radius:999px;padding:4px 12px}
.subcategories ul ul{display:none}
.breadcrumb ol{list-style:none;display:flex;flex-wrap:wrap;gap:6px;padding:0;margin:0 0 8px;font-size:14px;color:var(--muted)}
.breadcrumb li+li::before{content:"/";margin-right:6px;color:#a5adbb}
.toolbar{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:10px;margin:0 0 12px}
.toolbar .summary{margin:0;color:var(--muted)}form.sort label{font-size:14px;color:var(--muted)}
.card.product{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}.product-facts{flex:1 1 300px}
table.specs{max-width:640px}table.specs th{width:40%;text-transform:none;letter-spacing:0;font-size:14px}
table.compare th[scope=col]{text-transform:none;letter-spacing:0;font-size:14px;color:var(--ink);vertical-align:top;min-width:180px}
table.compare th[scope=col] .thumb{margin-bottom:6px}table.compare th[scope=row]{text-transform:none;letter-spacing:0;font-size:14px;width:160px}
td.compare-actions form{margin:3px 0;flex-wrap:wrap}td.compare-actions input.qty{width:4.5em}
@media (max-width:640px){table.products thead{display:none}table.products tr{display:grid;grid-template-columns:64px 1fr;gap:4px 12px;padding:10px 12px;border-bottom:1px solid var(--line)}table.products td{border:0;padding:0;text-align:left}table.products td.pic{grid-row:span 5;width:auto}td.row-actions{white-space:normal}td.pic{width:60px}.thumb-large{width:100%;height:auto;aspect-ratio:1}.site-header nav{margin-left:0}th,td{padding:7px 8px}dl.facts{grid-template-columns:1fr}}
`.trim();

/** The stylesheet's URL; the hash in the query changes when the CSS does, so it can be cached long. */
export const STYLESHEET_PATH = `/assets/pages.css?v=${createHash('sha256').update(STYLESHEET).digest('hex').slice(0, 12)}`;
