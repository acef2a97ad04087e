// Texts of the console and the indicator. French first, as in the seed; English beside it.
// A missing English text falls back to the French one, so a new key never shows as blank.

const fr = {
  'app.title': 'garage-sync',
  'app.subtitle': 'Sauvegarde et synchronisation',
  'lang.label': 'Langue',
  'skip': 'Aller au contenu',

  'state.idle': 'En attente',
  'state.syncing': 'Synchronisation…',
  'state.ok': 'Synchronisé',
  'state.error': 'Erreur',
  'state.offline': 'Hors ligne',
  'state.disabled': 'Désactivée',

  'tip.last': 'Dernière synchro : {time}',
  'tip.never': 'Jamais synchronisé',
  'tip.backup': 'Dernière sauvegarde : {time}',
  'tip.records': '{n} enregistrements',
  'tip.pending': 'Copie locale en attente d’envoi',
  'tip.click': 'Cliquer pour synchroniser maintenant',
  'indicator.label': 'Synchronisation : {state}. Synchroniser maintenant',

  'identity.title': 'Identité',
  'identity.user': 'Identifiant utilisateur',
  'identity.user.help': 'Envoyé dans l’en-tête X-User-Id ; vide = utilisateur « default ».',
  'identity.token': 'Jeton d’accès',
  'identity.token.help': 'Ce serveur demande un jeton. Il reste dans cet onglet et n’est envoyé qu’à ce serveur.',
  'identity.apply': 'Appliquer',

  'sync.title': 'Synchronisation cloud',
  'sync.auto': 'Synchronisation automatique',
  'sync.auto.help': 'Envoie les nouvelles versions aux destinations du serveur, toutes les 5 minutes.',
  'sync.now': 'Synchroniser maintenant',
  'sync.state': 'État',
  'sync.last': 'Dernière synchronisation',
  'sync.backup': 'Dernière sauvegarde',
  'sync.records': 'Enregistrements',
  'sync.version': 'Dernière version',
  'sync.error': 'Erreur',
  'sync.pending': 'Copie locale',
  'sync.pending.yes': 'en attente d’envoi',

  'local.title': 'Sauvegarde locale',
  'local.help': 'Un fichier JSON garage-backup-AAAA-MM-JJ.json, à garder hors du garage.',
  'local.export': 'Exporter les données',
  'local.import': 'Importer les données',

  'confirm.import.title': 'Remplacer les données ?',
  'confirm.restore.title': 'Restaurer la version {v} ?',
  'confirm.text': 'Ces données deviendront la dernière version. Les versions actuelles restent disponibles.',
  'confirm.collection': 'Collection',
  'confirm.current': 'Actuelles',
  'confirm.file': 'Fichier',
  'confirm.version': 'Version {v}',
  'confirm.total': 'Total',
  'confirm.replace': 'Remplacer',
  'confirm.cancel': 'Annuler',

  'versions.title': 'Versions',
  'versions.caption': 'Versions enregistrées, la plus récente en premier',
  'versions.id': 'Version',
  'versions.date': 'Date',
  'versions.records': 'Enregistrements',
  'versions.size': 'Taille',
  'versions.action': 'Action',
  'versions.restore': 'Restaurer',
  'versions.restore.label': 'Restaurer la version {v}',
  'versions.latest': 'actuelle',
  'versions.empty': 'Aucune sauvegarde pour l’instant.',

  'targets.title': 'Destinations',
  'targets.empty': 'Aucune destination configurée sur le serveur.',
  'targets.ok': 'OK',
  'targets.failing': 'En échec',
  'targets.retrying': 'Nouvel essai en cours',
  'targets.last': 'dernier envoi {time}',
  'targets.pending': '{n} version(s) en attente',

  'history.title': 'Historique',
  'history.caption': 'Dernières tentatives de synchronisation',
  'history.time': 'Date',
  'history.target': 'Destination',
  'history.result': 'Résultat',
  'history.versions': 'Versions',
  'history.bytes': 'Taille',
  'history.duration': 'Durée',
  'history.error': 'Erreur',
  'history.empty': 'Aucune synchronisation pour l’instant.',
  'history.missing': 'Ce serveur ne fournit pas d’historique de synchronisation.',
  'result.delivered': 'Envoyé',
  'result.spooled': 'Mis en attente',
  'result.failed': 'Échec',

  'toast.synced': 'Synchronisation lancée',
  'toast.noSyncNow': 'Ce serveur ne propose pas la synchronisation à la demande',
  'toast.syncFailed': 'Échec de la synchronisation : {msg}',
  'toast.autoOn': 'Synchronisation automatique activée',
  'toast.autoOff': 'Synchronisation automatique désactivée',
  'toast.exported': 'Export téléchargé : {name}',
  'toast.imported': 'Import réussi : version {v}',
  'toast.unchanged': 'Données identiques à la dernière version : rien de nouveau',
  'toast.restored': 'Version {from} restaurée comme version {v}',
  'toast.failed': 'Échec : {msg}',
  'toast.identity': 'Identité appliquée',
  'toast.close': 'Fermer',

  'c.customers': 'Clients',
  'c.vehicles': 'Véhicules',
  'c.repairs': 'Réparations',
  'c.invoices': 'Factures',
  'c.users': 'Utilisateurs',
  'c.mechanics': 'Mécaniciens',
  'c.appointments': 'Rendez-vous',
  'c.stock': 'Stock',

  'unit.B': 'o',
  'unit.KB': 'Ko',
  'unit.MB': 'Mo',
  'none': '—',
};

const en = {
  'app.subtitle': 'Backup and sync',
  'lang.label': 'Language',
  'skip': 'Skip to content',

  'state.idle': 'Idle',
  'state.syncing': 'Syncing…',
  'state.ok': 'Synced',
  'state.error': 'Error',
  'state.offline': 'Offline',
  'state.disabled': 'Disabled',

  'tip.last': 'Last sync: {time}',
  'tip.never': 'Never synced',
  'tip.backup': 'Last backup: {time}',
  'tip.records': '{n} records',
  'tip.pending': 'Local copy waiting to be sent',
  'tip.click': 'Click to sync now',
  'indicator.label': 'Sync: {state}. Sync now',

  'identity.title': 'Identity',
  'identity.user': 'User id',
  'identity.user.help': 'Sent as the X-User-Id header; empty = user "default".',
  'identity.token': 'Access token',
  'identity.token.help': 'This server requires a token. It stays in this tab and is sent only to this server.',
  'identity.apply': 'Apply',

  'sync.title': 'Cloud sync',
  'sync.auto': 'Automatic sync',
  'sync.auto.help': 'Sends new versions to the server\'s targets every 5 minutes.',
  'sync.now': 'Sync now',
  'sync.state': 'State',
  'sync.last': 'Last sync',
  'sync.backup': 'Last backup',
  'sync.records': 'Records',
  'sync.version': 'Latest version',
  'sync.error': 'Error',
  'sync.pending': 'Local copy',
  'sync.pending.yes': 'waiting to be sent',

  'local.title': 'Local backup',
  'local.help': 'A JSON file garage-backup-YYYY-MM-DD.json, to keep outside the garage.',
  'local.export': 'Export data',
  'local.import': 'Import data',

  'confirm.import.title': 'Replace the data?',
  'confirm.restore.title': 'Restore version {v}?',
  'confirm.text': 'This data will become the latest version. The current versions stay available.',
  'confirm.collection': 'Collection',
  'confirm.current': 'Current',
  'confirm.file': 'File',
  'confirm.version': 'Version {v}',
  'confirm.total': 'Total',
  'confirm.replace': 'Replace',
  'confirm.cancel': 'Cancel',

  'versions.title': 'Versions',
  'versions.caption': 'Stored versions, newest first',
  'versions.id': 'Version',
  'versions.date': 'Date',
  'versions.records': 'Records',
  'versions.size': 'Size',
  'versions.action': 'Action',
  'versions.restore': 'Restore',
  'versions.restore.label': 'Restore version {v}',
  'versions.latest': 'current',
  'versions.empty': 'No backup yet.',

  'targets.title': 'Targets',
  'targets.empty': 'No target configured on the server.',
  'targets.ok': 'OK',
  'targets.failing': 'Failing',
  'targets.retrying': 'Retrying',
  'targets.last': 'last sent {time}',
  'targets.pending': '{n} version(s) waiting',

  'history.title': 'History',
  'history.caption': 'Latest sync attempts',
  'history.time': 'Time',
  'history.target': 'Target',
  'history.result': 'Result',
  'history.versions': 'Versions',
  'history.bytes': 'Size',
  'history.duration': 'Duration',
  'history.error': 'Error',
  'history.empty': 'No sync yet.',
  'history.missing': 'This server does not provide a sync history.',
  'result.delivered': 'Delivered',
  'result.spooled': 'Spooled',
  'result.failed': 'Failed',

  'toast.synced': 'Sync started',
  'toast.noSyncNow': 'This server does not offer sync on demand',
  'toast.syncFailed': 'Sync failed: {msg}',
  'toast.autoOn': 'Automatic sync on',
  'toast.autoOff': 'Automatic sync off',
  'toast.exported': 'Export downloaded: {name}',
  'toast.imported': 'Imported: version {v}',
  'toast.unchanged': 'Same data as the latest version: nothing new',
  'toast.restored': 'Version {from} restored as version {v}',
  'toast.failed': 'Failed: {msg}',
  'toast.identity': 'Identity applied',
  'toast.close': 'Close',

  'c.customers': 'Customers',
  'c.vehicles': 'Vehicles',
  'c.repairs': 'Repairs',
  'c.invoices': 'Invoices',
  'c.users': 'Users',
  'c.mechanics': 'Mechanics',
  'c.appointments': 'Appointments',
  'c.stock': 'Stock',

  'unit.B': 'B',
  'unit.KB': 'KB',
  'unit.MB': 'MB',
};

export const LANGUAGES = { fr: 'Français', en: 'English' };

/** The page's language as far as these texts go: English if the page says so, French otherwise. */
export function pageLanguage(el = document.documentElement) {
  const lang = (el.closest?.('[lang]') || document.documentElement).lang || 'fr';
  return lang.toLowerCase().startsWith('en') ? 'en' : 'fr';
}

export function t(lang, key, vars = {}) {
  const text = (lang === 'en' && en[key]) || fr[key] || key;
  return text.replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? ''));
}

export function formatTime(lang, iso) {
  if (!iso) return t(lang, 'none');
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'fr-FR', { dateStyle: 'short', timeStyle: 'medium' }).format(d);
}

export function formatBytes(lang, n) {
  if (typeof n !== 'number') return t(lang, 'none');
  const nf = (x) => new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'fr-FR', { maximumFractionDigits: 1 }).format(x);
  if (n < 1024) return `${nf(n)} ${t(lang, 'unit.B')}`;
  if (n < 1024 * 1024) return `${nf(n / 1024)} ${t(lang, 'unit.KB')}`;
  return `${nf(n / 1024 / 1024)} ${t(lang, 'unit.MB')}`;
}

export function collectionName(lang, name) {
  const key = `c.${name}`;
  const text = t(lang, key);
  return text === key ? name : text;
}
