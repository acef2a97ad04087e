package app.garagesync.records;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/** Text compared the way a person searches: case and accents ignored ("ELODIE" finds "Élodie"). */
final class TextMatch {

    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    /**
     * Each Latin-1 character folded alone: the same as folding a whole Latin-1 string (its decompositions
     * and lower cases do not depend on the characters around), without a normalizer and a regex per value,
     * which made the first search of a 50 MB garage take seconds.
     */
    private static final String[] LATIN1 = new String[256];

    static {
        for (char c = 0; c < 256; c++) {
            LATIN1[c] = slow(String.valueOf(c));
        }
    }

    private TextMatch() {
    }

    static String fold(String s) {
        boolean ascii = true;
        for (int i = 0; i < s.length() && ascii; i++) {
            ascii = s.charAt(i) < 0x80;
        }
        if (ascii) {
            return s.toLowerCase(Locale.ROOT);
        }
        StringBuilder latin1 = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 256) {
                return slow(s);
            }
            latin1.append(LATIN1[c]);
        }
        return latin1.toString();
    }

    private static String slow(String s) {
        // decomposed, "é" is "e" and a combining accent, which goes; "ß", "æ" and the like stay as they are
        return MARKS.matcher(Normalizer.normalize(s, Normalizer.Form.NFD)).replaceAll("").toLowerCase(Locale.ROOT);
    }
}
