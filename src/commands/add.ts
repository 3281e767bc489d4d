/** `custfile add company|person|contact [--field value ...]` */
import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { type Kind, flagName, writableFields } from '../domain/fields.js';
import { type ChangeRequest, applyChanges, emptyChangeRequest, emptyDraft, parseAssignment } from '../domain/profile.js';
import { type Deps, type Session, action, collect, examples } from './shared.js';

function camel(field: string): string {
  return field.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** One flag per writable field of the kind (`--first-name`, `--postcode`, …). */
function addFieldOptions(command: Command, kind: Kind): void {
  for (const f of writableFields(kind)) {
    if (f.name === 'tags' || f.name === 'company_id' || f.name === 'name') continue;
    if (f.type === 'bool') {
      command.option(`--${flagName(f.name)} [bool]`, f.description);
    } else {
      command.option(`--${flagName(f.name)} <value>`, f.description);
    }
  }
  command.option('--name <name>', kind === 'company' ? "the company's name" : 'first and last name, split at the last space');
  command.option('--tag <tags>', 'tags, comma-separated (repeatable)', collect);
  command.option('--set <field=value>', 'any field, or custom.NAME=VALUE (repeatable)', collect);
}

function requestFrom(opts: Record<string, unknown>, kind: Kind): ChangeRequest {
  const request = emptyChangeRequest();
  if (typeof opts.name === 'string') request.set.push({ field: 'name', value: opts.name });
  for (const f of writableFields(kind)) {
    if (f.name === 'tags' || f.name === 'company_id' || f.name === 'name') continue;
    const v = opts[camel(f.name)];
    if (v === undefined) continue;
    request.set.push({ field: f.name, value: v === true ? 'true' : String(v) });
  }
  for (const s of (opts.set as string[] | undefined) ?? []) request.set.push(parseAssignment(s));
  for (const t of (opts.tag as string[] | undefined) ?? []) request.tagEdits.push(...t.split(',').map((x) => `+${x.trim().replace(/^\+/, '')}`));
  return request;
}

const has = (request: ChangeRequest, ...fields: string[]) =>
  request.set.some((s) => fields.includes(s.field) && s.value.trim() !== '');

/** Asks for what is missing, at a terminal; elsewhere names the flag. */
async function completeRequired(session: Session, kind: Kind, request: ChangeRequest): Promise<void> {
  const prompter = session.prompter;
  if (kind === 'company') {
    if (!has(request, 'name')) {
      request.set.push({ field: 'name', value: await prompter.input('Company name:', '--name', { required: true }) });
    }
    return;
  }
  if (!has(request, 'name', 'first_name', 'last_name')) {
    const first = await prompter.input('First name:', '--last-name (or --first-name, --name)');
    const last = await prompter.input('Last name:', '--last-name', { required: first.trim() === '' });
    if (first.trim() !== '') request.set.push({ field: 'first_name', value: first });
    if (last.trim() !== '') request.set.push({ field: 'last_name', value: last });
  }
}

/**
 * The values given as flags, checked before anything is asked: a bad `--email` found after the
 * names were typed threw the answers away. The name is what the prompts will supply.
 */
function checkFlags(kind: Kind, request: ChangeRequest): void {
  const probe: ChangeRequest = { ...request, set: [...request.set] };
  if (kind === 'company' && !has(request, 'name')) probe.set.push({ field: 'name', value: '?' });
  if (kind === 'person' && !has(request, 'name', 'first_name', 'last_name')) probe.set.push({ field: 'last_name', value: '?' });
  applyChanges(emptyDraft(kind), probe);
}

async function runAdd(session: Session, kind: Kind, opts: Record<string, unknown>, companyRef?: string): Promise<void> {
  const request = requestFrom(opts, kind);
  checkFlags(kind, request);
  await completeRequired(session, kind, request);
  const ctx = await session.context(true);
  const { addProfile } = await import('../app/profiles.js');
  const profile = addProfile(ctx, { kind, request, companyRef });
  await printCreated(session, profile);
}

async function printCreated(session: Session, profile: import('../domain/profile.js').Profile): Promise<void> {
  // Without --format: the new id on stdout (for `id=$(custfile add …)`), the sentence on stderr.
  const format = session.globals.format === undefined ? 'table' : session.format('json');
  if (format === 'table') {
    session.say(`Added ${profile.kind} #${profile.id} ${profile.name}${profile.kind === 'person' && profile.company ? ` (${profile.company})` : ''}.`);
    await session.out.write(`${profile.id}\n`);
  } else {
    const { toPublicRecord } = await import('../ui/records.js');
    const { renderList } = await import('../ui/render.js');
    const { profileListView } = await import('../ui/views.js');
    if (format === 'json') await session.out.write(`${JSON.stringify(toPublicRecord(profile), null, 2)}\n`);
    else await renderList([profile], profileListView(Object.keys(profile.custom)), format, session.out, { color: false });
  }
  await session.out.flush();
}

export function registerAdd(program: Command, deps: Deps): void {
  const add = program
    .command('add')
    .description('add a company, a person, or a key contact of a company')
    .addHelpText('after', examples(
      'custfile add company --name "Elbwerk GmbH" --legal-form GmbH --industry Maschinenbau --city Dresden --postcode 01067',
      'custfile add person --first-name Anna --last-name Müller --birthday 1984-03-12 --email anna@example.org --tag vip',
      'custfile add contact --company "Elbwerk GmbH" --name "Jens Koch" --role CEO --decision-maker',
    ));

  const company = add.command('company').description('add a company (B2B customer)');
  addFieldOptions(company, 'company');
  company.addHelpText('after', examples('custfile add company --name "Elbwerk GmbH" --revenue 2500000 --headcount 40 --tag key-account'));
  company.action(action(deps, async (session, opts: Record<string, unknown>) => runAdd(session, 'company', opts)));

  const person = add.command('person').description('add a person (B2C customer)');
  addFieldOptions(person, 'person');
  person.option('--company <ref>', 'make the person a key contact of this company (id, external id, e-mail or name)');
  person.addHelpText('after', examples('custfile add person --first-name Anna --last-name Müller --birthday --03-12 --city Görlitz'));
  person.action(action(deps, async (session, opts: Record<string, unknown>) =>
    runAdd(session, 'person', opts, typeof opts.company === 'string' ? opts.company : undefined)));

  const contact = add.command('contact').description('add a key contact (officer, manager, decision-maker) of a company');
  addFieldOptions(contact, 'person');
  contact.option('--company <ref>', 'the company (id, external id, e-mail or name)');
  contact.addHelpText('after', examples('custfile add contact --company 12 --first-name Jens --last-name Koch --role CEO --decision-maker'));
  contact.action(action(deps, async (session, opts: Record<string, unknown>) => {
    let ref = typeof opts.company === 'string' ? opts.company : undefined;
    if (ref === undefined) ref = await session.prompter.input('Company (id, e-mail or name):', '--company', { required: true });
    if (ref.trim() === '') throw new UsageError('add contact needs --company REF.');
    return runAdd(session, 'person', opts, ref);
  }));
}
