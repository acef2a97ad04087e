package app.garagesync.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.garagesync.api.ApiException;
import app.garagesync.store.BackupSummary;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The validator's own duplicate-member check, at every place a member name can be given twice. */
class DuplicateMembersTest {

    final BackupReader reader = new BackupReader(64, 1 << 20);

    private BackupSummary read(String json) {
        return reader.read(json.getBytes(StandardCharsets.UTF_8));
    }

    private void refused(String json, String name) {
        assertThatThrownBy(() -> read(json)).isInstanceOf(ApiException.class)
                .hasMessageContaining("Duplicate field '" + name + "'");
    }

    private static String members(int n, String extra) {
        return IntStream.range(0, n).mapToObj(i -> "\"m" + i + "\":" + i).collect(Collectors.joining(",")) + extra;
    }

    @Test
    void refuses_a_name_given_twice_wherever_it_is() {
        refused("{\"data\":{},\"data\":{}}", "data");
        refused("{\"data\":{\"c\":[],\"c\":[]}}", "c");
        refused("{\"data\":{\"c\":[{\"id\":1,\"n\":1,\"n\":2}]}}", "n");
        refused("{\"data\":{\"c\":[{\"id\":1,\"id\":2}]}}", "id");
        refused("{\"data\":{\"c\":[{\"id\":1,\"x\":{\"a\":[{\"b\":1,\"b\":1}]}}]}}", "b");
        refused("{\"garage\":{\"nom\":\"A\",\"nom\":\"B\"},\"data\":{}}", "nom");
        refused("{\"data\":{\"settings\":{\"t\":1,\"t\":1}}}", "t");
        refused("{\"meta\":[{\"k\":1,\"k\":2}],\"data\":{}}", "k");
        // past the small-object path: the 41st member repeats the 30th
        refused("{\"data\":{\"c\":[{\"id\":1," + members(40, ",\"m29\":0") + "}]}}", "m29");
    }

    @Test
    void takes_the_same_name_in_different_objects() {
        BackupSummary s = read("{\"data\":{\"c\":[{\"id\":1,\"n\":{\"n\":{\"n\":1}}},{\"id\":2,\"n\":[{\"n\":1},{\"n\":2}]}],"
                + "\"d\":[{\"id\":1," + members(40, "") + "},{\"id\":2," + members(40, "") + "}]},\"n\":{\"data\":1}}");
        assertThat(s.recordsByCollection()).containsEntry("c", 2).containsEntry("d", 2);
    }
}
