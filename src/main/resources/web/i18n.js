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
  'state.local': 'Enregistré sur ce serveur',
  'state.error': 'Erreur',
  'state.offline': 'Hors ligne',
  'state.disabled': 'Désactivée',

  'tip.last': 'Copié hors site : {time}',
  'tip.never': 'Pas encore copié hors site',
  'tip.noOffsite': 'Aucune copie hors site : aucune destination n’est configurée',
  'tip.waiting': '{n} version(s) en attente de copie hors site',
  'tip.backup': 'Enregistré sur ce serveur : {time}',
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
  'sync.last': 'Copié hors site',
  'sync.backup': 'Enregistré sur ce serveur',
  'sync.offsite.none': 'Jamais : aucune destination hors site n’est configurée',
  'sync.offsite.notYet': 'Pas encore',
  'sync.waiting': 'En attente de copie hors site',
  'sync.waiting.n': '{n} version(s)',
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
  'versions.merged': 'fusion',
  'guard.title': 'Attention : beaucoup de données ont disparu',
  'guard.text': 'La sauvegarde n° {v} contient beaucoup moins de données que la précédente (n° {prev}) :',
  'guard.count': '{collection} : {before} → {after} ({pct} % en moins)',
  'guard.held': 'Par précaution, cette sauvegarde et les suivantes ne sont pas envoyées hors site : les copies hors site gardent la version {prev}.',
  'guard.notHeld': 'Elle a été enregistrée sur ce serveur comme les autres.',
  'guard.advice': 'Si vous avez supprimé ces données volontairement, confirmez. Sinon, ne confirmez pas : restaurez la version {prev} depuis la liste des versions ci-dessous.',
  'guard.confirm': 'Oui, ces suppressions sont voulues',
  'guard.confirmed': 'Suppressions confirmées (version {v})',
  'versions.anomaly': 'données disparues',
  'merges.title': 'Modifications simultanées',
  'merges.help': 'Quand deux appareils enregistrent en même temps, leurs modifications sont réunies. Si les deux ont changé la même information, la plus récente est gardée et l’autre reste lisible dans la version indiquée.',
  'merges.empty': 'Aucune modification simultanée pour l’instant.',
  'merges.conflicts.one': '1 modification simultanée — la plus récente a été gardée',
  'merges.conflicts.many': '{n} modifications simultanées — la plus récente a été gardée',
  'merges.clean': 'Modifications de plusieurs appareils réunies, sans conflit',
  'merges.when': 'Version {v}, {time} : un appareil parti de la version {base} a enregistré après la version {onto}.',
  'merges.field': '{record}, {field} : gardé {kept}, remplacé {overwritten} (encore lisible dans la version {in}).',
  'merges.record': '{record} : supprimé sur un appareil, modifié sur l’autre ; gardé avec la modification (l’ancien état reste lisible dans la version {in}).',
  'merges.more': '… et {n} autre(s), dans les détails de la version {v}.',
  'merges.in': '« {id} » ({collection})',
  'merges.garage': 'Garage',
  'merges.settings': 'Réglages',
  'merges.empty.value': '(vide)',
  'merges.quote': '« {text} »',

  'targets.title': 'Destinations',
  'targets.empty': 'Aucune destination hors site n’est configurée : les sauvegardes restent sur ce serveur uniquement. Si ce serveur tombe en panne ou est volé, elles sont perdues. Demandez à la personne qui gère le serveur d’ajouter une destination (S3, dossier réseau ou autre serveur).',
  'targets.waiting': '{n} version(s) en attente',
  'details': 'détails',
  'cause.unreachable': 'La destination « {name} » ne répond pas.',
  'cause.refused_credentials': 'La destination « {name} » refuse les identifiants (clés d’accès ou jeton).',
  'cause.full': 'La destination « {name} » est pleine.',
  'cause.not_found': 'La destination « {name} » n’existe pas à l’adresse indiquée (compartiment ou dossier introuvable).',
  'cause.other': 'La destination « {name} » refuse les sauvegardes.',
  'advice.unreachable': 'Vérifiez la connexion internet du garage et que le service ou le disque de destination est allumé. Les versions attendent ici et partiront toutes seules dès qu’il répondra.',
  'advice.refused_credentials': 'Les clés ont peut-être changé ou expiré : demandez à la personne qui gère le serveur de les mettre à jour. Les versions attendent ici en sécurité.',
  'advice.full': 'Libérez de la place ou augmentez l’abonnement de stockage. Les versions attendent ici en sécurité.',
  'advice.not_found': 'Le disque ou le dossier réseau est peut-être débranché, ou le nom du compartiment ou du dossier est faux : faites vérifier. Les versions attendent ici en sécurité.',
  'advice.other': 'Les versions attendent ici en sécurité. Si cela dure, transmettez les détails ci-dessous à la personne qui gère le serveur.',
  'cause.short.unreachable': 'Destination injoignable',
  'cause.short.refused_credentials': 'Identifiants refusés',
  'cause.short.full': 'Destination pleine',
  'cause.short.not_found': 'Destination introuvable',
  'cause.short.other': 'Refusé par la destination',
  'server.store_unavailable': 'Le serveur garage-sync ne peut pas écrire sur son stockage pour le moment (disque en lecture seule ou stockage distant injoignable). Rien n\'a été perdu : vos données restent dans ce navigateur.',
  'advice.server.store_unavailable': 'Prévenez la personne qui gère le serveur ; l\'envoi reprendra tout seul quand le stockage répondra.',
  'server.insufficient_storage': 'Le disque du serveur garage-sync est plein : la dernière sauvegarde n\'a pas pu y être enregistrée. Rien n\'a été perdu : vos données restent dans ce navigateur.',
  'advice.server.insufficient_storage': 'Faites libérer de la place sur le serveur ; l\'envoi reprendra tout seul ensuite.',
  'server.damaged_version': 'Une version de vos sauvegardes est abîmée sur le serveur : elle n\'est plus servie. Les autres versions sont intactes.',
  'advice.server.damaged_version': 'Vos prochaines sauvegardes sont enregistrées normalement. Demandez une restauration de cette version depuis la copie hors site.',
  'server.conflict': 'Un autre appareil a modifié les mêmes données entre-temps, et ce serveur est réglé pour refuser les fusions : rien n\'a été enregistré. Les données restent dans ce navigateur.',
  'advice.server.conflict': 'Rechargez les données du serveur puis refaites la modification, ou demandez à la personne qui gère le serveur d\'autoriser les fusions (garagesync.merge.mode).',
  'server.base-gone': 'La version d\'où partaient les données de cet appareil n\'existe plus sur le serveur : elles ne peuvent plus être fusionnées automatiquement. Rien n\'a été enregistré ; les données restent dans ce navigateur.',
  'advice.server.base-gone': 'Exportez les données de cet appareil dans un fichier, puis rechargez celles du serveur.',
  'server.busy': 'Le serveur garage-sync est très occupé : la sauvegarde sera renvoyée dans un instant.',
  'server.too_large': 'Cette sauvegarde dépasse la taille que le serveur accepte.',
  'advice.server.too_large': 'Demandez à la personne qui gère le serveur d\'augmenter la limite (garagesync.max-backup-size).',
  'server.unauthorized': 'Le serveur garage-sync a refusé l\'identifiant de cet appareil.',
  'advice.server.unauthorized': 'Vérifiez le jeton d\'accès saisi pour cet appareil.',
  'damaged.versions': 'Des versions de vos sauvegardes sont abîmées sur le serveur ({list}) : elles ne sont plus servies, les autres sont intactes.',
  'error.client': 'Le dernier échange avec le serveur garage-sync a échoué.',
  'error.offline': 'Le serveur garage-sync ne répond pas : les données sont gardées dans ce navigateur et seront envoyées à son retour.',
  'table.more': 'Le tableau continue : faites-le glisser sur le côté →',
  'targets.ok': 'OK',
  'targets.failing': 'En échec',
  'targets.retrying': 'Nouvel essai en cours',
  'targets.last': 'dernier envoi {time}',

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
  'result.drained': 'Envoyé (après attente)',
  'result.drain-failed': 'Nouvel échec',
  'result.no-target': 'Aucune destination',
  'result.held': 'Retenue',
  'history.held': 'Gardée sur ce serveur : cette sauvegarde a perdu beaucoup de données et attend votre confirmation.',
  'history.noTarget': 'Rien n’a quitté ce serveur : aucune destination hors site n’est configurée.',

  'toast.synced': 'Synchronisation lancée',
  'toast.noTarget': 'Rien n’est envoyé : aucune destination hors site n’est configurée. La sauvegarde reste sur ce serveur uniquement.',
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
  'state.local': 'Saved on this server',
  'state.error': 'Error',
  'state.offline': 'Offline',
  'state.disabled': 'Disabled',

  'tip.last': 'Copied off-site: {time}',
  'tip.never': 'Not copied off-site yet',
  'tip.noOffsite': 'No off-site copy: no destination is configured',
  'tip.waiting': '{n} version(s) waiting to be copied off-site',
  'tip.backup': 'Saved on this server: {time}',
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
  'sync.last': 'Copied off-site',
  'sync.backup': 'Saved on this server',
  'sync.offsite.none': 'Never: no off-site destination is configured',
  'sync.offsite.notYet': 'Not yet',
  'sync.waiting': 'Waiting to be copied off-site',
  'sync.waiting.n': '{n} version(s)',
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
  'versions.merged': 'merged',
  'guard.title': 'Warning: a lot of data has disappeared',
  'guard.text': 'Backup no. {v} holds far less data than the one before it (no. {prev}):',
  'guard.count': '{collection}: {before} → {after} ({pct}% fewer)',
  'guard.held': 'As a precaution, this backup and the later ones are not sent off-site: the off-site copies keep version {prev}.',
  'guard.notHeld': 'It was saved on this server like the others.',
  'guard.advice': 'If you deleted this data on purpose, confirm. If not, do not confirm: restore version {prev} from the list of versions below.',
  'guard.confirm': 'Yes, these deletions are intended',
  'guard.confirmed': 'Deletions confirmed (version {v})',
  'versions.anomaly': 'data gone',
  'merges.title': 'Simultaneous changes',
  'merges.help': 'When two devices save at the same time, their changes are combined. If both changed the same piece of information, the latest is kept and the other stays readable in the version shown.',
  'merges.empty': 'No simultaneous changes so far.',
  'merges.conflicts.one': '1 simultaneous change — the latest was kept',
  'merges.conflicts.many': '{n} simultaneous changes — the latest was kept',
  'merges.clean': 'Changes from several devices combined, no conflict',
  'merges.when': 'Version {v}, {time}: a device that started from version {base} saved after version {onto}.',
  'merges.field': '{record}, {field}: kept {kept}, overwritten {overwritten} (still readable in version {in}).',
  'merges.record': '{record}: deleted on one device, edited on the other; kept with the edit (the former state stays readable in version {in}).',
  'merges.more': '… and {n} more, in the details of version {v}.',
  'merges.in': '"{id}" ({collection})',
  'merges.garage': 'Garage',
  'merges.settings': 'Settings',
  'merges.empty.value': '(empty)',
  'merges.quote': '"{text}"',

  'targets.title': 'Targets',
  'targets.empty': 'No off-site destination is configured: backups stay on this server only. If this server breaks down or is stolen, they are lost. Ask whoever runs the server to add one (S3, network folder or another server).',
  'targets.waiting': '{n} version(s) waiting',
  'details': 'details',
  'cause.unreachable': 'The destination "{name}" does not answer.',
  'cause.refused_credentials': 'The destination "{name}" refuses the credentials (access keys or token).',
  'cause.full': 'The destination "{name}" is full.',
  'cause.not_found': 'The destination "{name}" does not exist at the configured address (bucket or folder not found).',
  'cause.other': 'The destination "{name}" refuses the backups.',
  'advice.unreachable': 'Check the garage\'s internet connection and that the destination service or disk is on. The versions wait here and will go on their own as soon as it answers.',
  'advice.refused_credentials': 'The keys may have changed or expired: ask whoever runs the server to update them. The versions wait here, safe.',
  'advice.full': 'Free some space or raise the storage plan. The versions wait here, safe.',
  'advice.not_found': 'The disk or network folder may be unplugged, or the bucket or folder name is wrong: have it checked. The versions wait here, safe.',
  'advice.other': 'The versions wait here, safe. If it lasts, pass the details below to whoever runs the server.',
  'cause.short.unreachable': 'Destination unreachable',
  'cause.short.refused_credentials': 'Credentials refused',
  'cause.short.full': 'Destination full',
  'cause.short.not_found': 'Destination not found',
  'cause.short.other': 'Refused by the destination',
  'server.store_unavailable': 'The garage-sync server cannot write to its storage right now (a read-only disk or an unreachable remote store). Nothing was lost: your data stays in this browser.',
  'advice.server.store_unavailable': 'Tell whoever runs the server; sending resumes on its own once the storage answers.',
  'server.insufficient_storage': 'The garage-sync server\'s disk is full: the last backup could not be stored there. Nothing was lost: your data stays in this browser.',
  'advice.server.insufficient_storage': 'Have space freed on the server; sending resumes on its own afterwards.',
  'server.damaged_version': 'A version of your backups is damaged on the server: it is no longer served. The other versions are intact.',
  'advice.server.damaged_version': 'Your next backups are stored normally. Ask for that version to be restored from the off-site copy.',
  'server.conflict': 'Another device changed the same data meanwhile, and this server is set to refuse merges: nothing was saved. The data stays in this browser.',
  'advice.server.conflict': 'Reload the server\'s data and make the change again, or ask whoever runs the server to allow merges (garagesync.merge.mode).',
  'server.base-gone': 'The version this device\'s data started from no longer exists on the server: it can no longer be merged automatically. Nothing was saved; the data stays in this browser.',
  'advice.server.base-gone': 'Export this device\'s data to a file, then reload the server\'s data.',
  'server.busy': 'The garage-sync server is very busy: the backup will be sent again in a moment.',
  'server.too_large': 'This backup is larger than the server accepts.',
  'advice.server.too_large': 'Ask whoever runs the server to raise the limit (garagesync.max-backup-size).',
  'server.unauthorized': 'The garage-sync server refused this device\'s credentials.',
  'advice.server.unauthorized': 'Check the access token entered for this device.',
  'damaged.versions': 'Some versions of your backups are damaged on the server ({list}): they are no longer served, the others are intact.',
  'error.client': 'The last exchange with the garage-sync server failed.',
  'error.offline': 'The garage-sync server does not answer: the data is kept in this browser and will be sent when it is back.',
  'table.more': 'The table goes on: swipe it sideways →',
  'targets.ok': 'OK',
  'targets.failing': 'Failing',
  'targets.retrying': 'Retrying',
  'targets.last': 'last sent {time}',

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
  'result.drained': 'Delivered (after waiting)',
  'result.drain-failed': 'Failed again',
  'result.no-target': 'No destination',
  'result.held': 'Held',
  'history.held': 'Kept on this server: this backup lost a lot of data and waits for your confirmation.',
  'history.noTarget': 'Nothing left this server: no off-site destination is configured.',

  'toast.synced': 'Sync started',
  'toast.noTarget': 'Nothing is sent: no off-site destination is configured. The backup stays on this server only.',
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

/**
 * The status error as sentences a garage owner reads: {text, advice, detail}. A refusing target is
 * named with its cause code (the daemon's targets[].cause), the raw text kept apart as the detail.
 */
export function describeError(lang, status) {
  if (!status?.error) return null;
  const failing = (status.targets || []).find((x) => x.cause && x.state !== 'ok');
  if (status.errorSource === 'target' && failing) {
    const vars = { name: failing.name };
    return { text: t(lang, `cause.${failing.cause}`, vars), advice: t(lang, `advice.${failing.cause}`, vars),
      detail: failing.detail || failing.lastError || status.error };
  }
  if (status.errorSource === 'offline') return { text: t(lang, 'error.offline'), advice: '', detail: status.error };
  const code = status.errorSource === 'client' ? status.errorCode : null;
  if (code && fr[`server.${code}`]) {
    return { text: t(lang, `server.${code}`), advice: fr[`advice.server.${code}`] ? t(lang, `advice.server.${code}`) : '',
      detail: status.error };
  }
  // the guard's flag has its own banner, with the counts and a confirm button: not repeated here
  if (status.errorSource === 'target' && status.anomaly && !failing && !status.damagedVersions?.length) return null;
  if (status.errorSource === 'target' && status.damagedVersions?.length) {
    return { text: t(lang, 'damaged.versions', { list: status.damagedVersions.join(', ') }),
      advice: t(lang, 'advice.server.damaged_version'), detail: status.error };
  }
  return { text: t(lang, 'error.client'), advice: '', detail: status.error };
}

/**
 * A version's merge note (`merged: {base, onto, conflicts, conflictCount}`) in sentences:
 * {headline, when, conflicts: [one sentence each], more}.
 */
export function describeMerge(lang, version) {
  const m = version.merged || {};
  const count = m.conflictCount ?? (m.conflicts || []).length;
  const headline = count === 0 ? t(lang, 'merges.clean')
    : t(lang, count === 1 ? 'merges.conflicts.one' : 'merges.conflicts.many', { n: count });
  const when = t(lang, 'merges.when', { v: version.id, time: formatTime(lang, version.timestamp), base: m.base, onto: m.onto });
  const conflicts = (m.conflicts || []).map((c) => {
    const record = c.collection === 'garage' ? t(lang, 'merges.garage')
      : c.collection === 'settings' ? t(lang, 'merges.settings')
        : t(lang, 'merges.in', { id: String(c.id), collection: collectionName(lang, c.collection) });
    if (c.field == null) return t(lang, 'merges.record', { record, in: c.overwrittenIn });
    return t(lang, 'merges.field', { record, kept: shownValue(lang, c.kept),
      overwritten: shownValue(lang, c.overwritten), in: c.overwrittenIn, field: c.field });
  });
  const listed = (m.conflicts || []).length;
  const more = count > listed ? t(lang, 'merges.more', { n: count - listed, v: version.id }) : '';
  return { headline, when, conflicts, more };
}

/** A JSON value as a garage owner reads it: text as it is, quoted; nothing as "(vide)"; long values cut. */
function shownValue(lang, value) {
  if (value === null || value === undefined || value === '') return t(lang, 'merges.empty.value');
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text.length > 80) text = text.slice(0, 79) + '…';
  return t(lang, 'merges.quote', { text });
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
