package app.garagesync.records;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/** Text compared the way a person searches: case and accents ignored ("ELODIE" finds "Élodie"). */
final class TextMatch {

    private static final Pattern MARKS = Pattern.compile("\\p{M}+");

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
        // decomposed, "é" is "e" and a combining accent, which goes; "ß", "æ" and the like stay as they are
        return MARKS.matcher(Normalizer.normalize(s, Normalizer.Form.NFD)).replaceAll("").toLowerCase(Locale.ROOT);
    }
}
