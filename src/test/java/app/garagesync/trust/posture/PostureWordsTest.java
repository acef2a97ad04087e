package app.garagesync.trust.posture;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.trust.posture.PostureWords.Language;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PostureWordsTest {

    @Test
    void should_answer_in_french_unless_english_is_preferred() {
        assertThat(PostureWords.language(null)).isEqualTo(Language.fr);
        assertThat(PostureWords.language("de-DE,de;q=0.9")).isEqualTo(Language.fr);
        assertThat(PostureWords.language("en-US,en;q=0.9")).isEqualTo(Language.en);
        assertThat(PostureWords.language("en;q=0.2, fr;q=0.8")).isEqualTo(Language.fr);
        assertThat(PostureWords.language("de, en;q=0.5, fr;q=0.4")).isEqualTo(Language.en);
        assertThat(PostureWords.language("en;q=abc")).isEqualTo(Language.fr);
        assertThat(PostureWords.language("x".repeat(600))).isEqualTo(Language.fr);
    }

    @Test
    void should_say_ages_as_a_garage_owner_would() {
        assertThat(PostureWords.ago(Language.fr, Duration.ofSeconds(20))).isEqualTo("à l'instant");
        assertThat(PostureWords.ago(Language.fr, Duration.ofMinutes(1))).isEqualTo("il y a 1 minute");
        assertThat(PostureWords.ago(Language.fr, Duration.ofMinutes(200))).isEqualTo("il y a 3 heures");
        assertThat(PostureWords.ago(Language.fr, Duration.ofHours(49))).isEqualTo("il y a 2 jours");
        assertThat(PostureWords.ago(Language.en, Duration.ofHours(1))).isEqualTo("1 hour ago");
        assertThat(PostureWords.copies(Language.fr, 3, 1, true, 2)).isEqualTo("3 copies, dont 1 hors site, chiffrées");
        assertThat(PostureWords.copies(Language.en, 3, 1, true, 2)).isEqualTo("3 copies, 1 of them off-site, encrypted");
    }
}
