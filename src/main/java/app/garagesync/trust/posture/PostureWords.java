package app.garagesync.trust.posture;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The posture in the garage owner's words, French first, English when asked: how many copies and where,
 * when a restore was last proven, what waits to be sent. Problem names a drill gives are translated;
 * others (a check's own) are shown as they are.
 */
final class PostureWords {

    enum Language { fr, en }

    private static final Map<String, String> PROBLEMS_FR = Map.ofEntries(
            Map.entry("object missing", "un fichier de la copie manque"),
            Map.entry("hash differs", "la copie ne correspond plus à ce qui a été envoyé"),
            Map.entry("target unavailable", "la copie est injoignable"),
            Map.entry("index missing", "le sommaire de la copie manque"),
            Map.entry("index unreadable", "le sommaire de la copie est illisible"),
            Map.entry("version not listed", "la dernière version envoyée n'apparaît pas dans la copie"),
            Map.entry("cannot decrypt", "la copie ne se déchiffre pas avec la clé de ce serveur"),
            Map.entry("cannot rebuild", "la copie ne se reconstruit pas"),
            Map.entry("too large", "la copie dépasse la taille permise"),
            Map.entry("nothing sent yet", "rien n'y a encore été envoyé"));
    private static final Map<String, String> PROBLEMS_EN = Map.ofEntries(
            Map.entry("object missing", "a file of the copy is missing"),
            Map.entry("hash differs", "the copy no longer matches what was sent"),
            Map.entry("target unavailable", "the copy cannot be reached"),
            Map.entry("index missing", "the copy's table of contents is missing"),
            Map.entry("index unreadable", "the copy's table of contents is unreadable"),
            Map.entry("version not listed", "the latest version sent is not in the copy"),
            Map.entry("cannot decrypt", "the copy does not decrypt with this server's key"),
            Map.entry("cannot rebuild", "the copy cannot be rebuilt"),
            Map.entry("too large", "the copy is larger than allowed"),
            Map.entry("nothing sent yet", "nothing was sent there yet"));

    private PostureWords() {
    }

    /** fr unless the caller prefers English: the first of fr and en by Accept-Language weight. */
    static Language language(String acceptLanguage) {
        if (acceptLanguage == null || acceptLanguage.length() > 500) {
            return Language.fr;
        }
        Language best = Language.fr;
        double bestQ = -1;
        for (String part : acceptLanguage.split(",")) {
            String[] pieces = part.trim().split(";");
            String tag = pieces[0].trim().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int i = 1; i < pieces.length; i++) {
                String p = pieces[i].trim();
                if (p.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(p.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            Language l = tag.startsWith("en") ? Language.en : tag.startsWith("fr") ? Language.fr : null;
            // q=0 (or a weight that does not parse) means "not this one"
            if (l != null && q > 0 && q > bestQ) {
                best = l;
                bestQ = q;
            }
        }
        return best;
    }

    static String copies(Language l, int copies, int offsite, boolean targetsEncrypted, int targetCopies) {
        if (copies == 0) {
            return l == Language.fr ? "Aucune sauvegarde pour l'instant" : "No backup yet";
        }
        StringBuilder s = new StringBuilder();
        if (l == Language.fr) {
            s.append(copies).append(copies == 1 ? " copie" : " copies");
            s.append(offsite == 0 ? ", aucune hors site" : ", dont " + offsite + " hors site");
            if (targetCopies > 0) {
                s.append(targetsEncrypted ? ", chiffrées" : ", non chiffrées");
            }
        } else {
            s.append(copies).append(copies == 1 ? " copy" : " copies");
            s.append(offsite == 0 ? ", none off-site" : ", " + offsite + " of them off-site");
            if (targetCopies > 0) {
                s.append(targetsEncrypted ? ", encrypted" : ", not encrypted");
            }
        }
        return s.toString();
    }

    static String noDrill(Language l) {
        return l == Language.fr ? "aucun test de restauration pour l'instant" : "no restore test yet";
    }

    static String drillPassed(Language l, Duration age) {
        return l == Language.fr ? "dernier test de restauration réussi " + ago(l, age)
                : "last restore test passed " + ago(l, age);
    }

    static String drillFailed(Language l, String target, String problem, Duration age) {
        String why = (l == Language.fr ? PROBLEMS_FR : PROBLEMS_EN).getOrDefault(problem, problem);
        return l == Language.fr ? "le dernier test de restauration de la copie « " + target + " » a échoué " + ago(l, age) + " : " + why
                : "the last restore test of copy \"" + target + "\" failed " + ago(l, age) + ": " + why;
    }

    static String spooled(Language l, int files, Duration oldest) {
        if (l == Language.fr) {
            return files + (files == 1 ? " envoi en attente" : " envois en attente") + " depuis " + span(l, oldest);
        }
        return files + (files == 1 ? " file waiting to be sent" : " files waiting to be sent") + " for " + span(l, oldest);
    }

    static String joined(List<String> parts) {
        String text = String.join(" ; ", parts);
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    static String joinedEn(List<String> parts) {
        String text = String.join("; ", parts);
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    static String ago(Language l, Duration age) {
        if (age.toMinutes() < 1) {
            return l == Language.fr ? "à l'instant" : "just now";
        }
        return l == Language.fr ? "il y a " + span(l, age) : span(l, age) + " ago";
    }

    static String span(Language l, Duration d) {
        long days = d.toDays();
        long hours = d.toHours();
        long minutes = d.toMinutes();
        if (minutes < 1) {
            return l == Language.fr ? "moins d'une minute" : "less than a minute";
        }
        if (days >= 1) {
            return days + (l == Language.fr ? (days == 1 ? " jour" : " jours") : (days == 1 ? " day" : " days"));
        }
        if (hours >= 1) {
            return hours + (l == Language.fr ? (hours == 1 ? " heure" : " heures") : (hours == 1 ? " hour" : " hours"));
        }
        return minutes + (minutes == 1 ? " minute" : " minutes");
    }
}
