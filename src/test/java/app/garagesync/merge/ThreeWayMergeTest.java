package app.garagesync.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.garagesync.backup.BackupReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each rule of the merge, on small documents written out in full; every result passes the store's validation. */
class ThreeWayMergeTest {

    private static final BackupReader READER = new BackupReader(200, 1_000_000);

    /** A backup from JSON written with single quotes, for readable tests. */
    private static String doc(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    private static MergeResult merge(String base, String latest, String device) {
        MergeResult r = ThreeWayMerge.merge(bytes(base), bytes(latest), bytes(device), 7);
        READER.read(r.document());
        return r;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(MergeResult r) {
        return new String(r.document(), StandardCharsets.UTF_8);
    }

    @Test
    void should_take_each_sides_record_when_only_that_side_touched_it() {
        String base = doc("{'data':{'customers':[{'id':1,'name':'Ana'},{'id':2,'name':'Bob'},{'id':3,'name':'Cy'}]}}");
        String latest = doc("{'data':{'customers':[{'id':1,'name':'Ana L'},{'id':2,'name':'Bob'},{'id':3,'name':'Cy'}]}}");
        String device = doc("{'data':{'customers':[{'id':1,'name':'Ana'},{'id':2,'name':'Bob'},{'id':3,  'name' : 'Cy D'}]}}");
        MergeResult r = merge(base, latest, device);
        assertThat(text(r)).isEqualTo(doc("{'data':{'customers':[{'id':1,'name':'Ana L'},{'id':2,'name':'Bob'},{'id':3,  'name' : 'Cy D'}]}}"));
        assertThat(r.conflicts()).isEmpty();
    }

    @Test
    void should_apply_a_delete_or_an_insert_made_by_one_side_only() {
        String base = doc("{'data':{'customers':[{'id':1},{'id':2}],'vehicles':[]}}");
        String latest = doc("{'data':{'customers':[{'id':1},{'id':2},{'id':3,'by':'latest'}],'vehicles':[]}}");
        String device = doc("{'data':{'customers':[{'id':2}],'vehicles':[{'id':'v1'}]}}");
        MergeResult r = merge(base, latest, device);
        assertThat(text(r)).isEqualTo(doc("{'data':{'customers':[{'id':2},{'id':3,'by':'latest'}],'vehicles':[{'id':'v1'}]}}"));
        assertThat(r.conflicts()).isEmpty();
    }

    @Test
    void should_keep_both_sides_changes_to_different_fields_of_one_record() {
        String base = doc("{'data':{'customers':[{'id':1,'name':'Ana','phone':'01','city':'Lyon'}]}}");
        String latest = doc("{'data':{'customers':[{'id':1,'name':'Ana Rey','phone':'01','city':'Lyon'}]}}");
        String device = doc("{'data':{'customers':[{'id':1,'name':'Ana','phone':'02','city':'Lyon','email':'a@b.fr'}]}}");
        MergeResult r = merge(base, latest, device);
        assertThat(text(r)).isEqualTo(doc("{'data':{'customers':[{'id':1,'name':'Ana Rey','phone':'02','city':'Lyon','email':'a@b.fr'}]}}"));
        assertThat(r.conflicts()).isEmpty();
    }

    @Test
    void should_give_the_device_the_field_both_changed_and_list_the_latests_value() {
        String base = doc("{'data':{'repairs':[{'id':'r1','status':'open','price':10.5,'address':{'city':'Lyon'}}]}}");
        String latest = doc("{'data':{'repairs':[{'id':'r1','status':'done','price':10.50,'address':{'city':'Nice'}}]}}");
        String device = doc("{'data':{'repairs':[{'id':'r1','status':'waiting','price':10.5,'address':{'city':'Lyon','zip':'69000'}}]}}");
        MergeResult r = merge(base, latest, device);
        // price: 10.50 is 10.5, an unchanged amount; address is one field, changed by both
        assertThat(text(r)).isEqualTo(doc("{'data':{'repairs':[{'id':'r1','status':'waiting','price':10.50,'address':{'city':'Lyon','zip':'69000'}}]}}"));
        assertThat(r.conflicts()).hasSize(2);
        MergeConflict status = r.conflicts().get(0);
        assertThat(status.collection()).isEqualTo("repairs");
        assertThat(status.id()).isEqualTo("r1");
        assertThat(status.field()).isEqualTo("status");
        assertThat(status.kept().asText()).isEqualTo("waiting");
        assertThat(status.overwritten().asText()).isEqualTo("done");
        assertThat(status.overwrittenIn()).isEqualTo(7);
        MergeConflict address = r.conflicts().get(1);
        assertThat(address.field()).isEqualTo("address");
        assertThat(address.kept().toString()).isEqualTo(doc("{'city':'Lyon','zip':'69000'}"));
        assertThat(address.overwritten().toString()).isEqualTo(doc("{'city':'Nice'}"));
    }

    @Test
    void should_list_no_conflict_when_both_made_the_same_change() {
        String base = doc("{'data':{'stock':[{'id':5,'qty':1}]}}");
        String both = doc("{'data':{'stock':[{'id':5,'qty':2}]}}");
        String device = doc("{'data':{'stock':[{'id':5, 'qty':2}]}}");
        MergeResult r = merge(base, both, device);
        assertThat(text(r)).isEqualTo(both);
        assertThat(r.conflicts()).isEmpty();
    }

    @Test
    void should_report_a_field_the_device_removed_and_the_latest_changed() {
        String base = doc("{'data':{'stock':[{'id':5,'qty':1,'note':'x'}]}}");
        String latest = doc("{'data':{'stock':[{'id':5,'qty':1,'note':'y'}]}}");
        String device = doc("{'data':{'stock':[{'id':5,'qty':2}]}}");
        MergeResult r = merge(base, latest, device);
        assertThat(text(r)).isEqualTo(doc("{'data':{'stock':[{'id':5,'qty':2}]}}"));
        assertThat(r.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.field()).isEqualTo("note");
            assertThat(c.kept()).isNull();
            assertThat(c.overwritten().asText()).isEqualTo("y");
        });
    }

    @Test
    void should_keep_a_record_the_device_deleted_and_the_latest_edited() {
        String base = doc("{'data':{'customers':[{'id':1,'name':'Ana'},{'id':2,'name':'Bob'}]}}");
        String latest = doc("{'data':{'customers':[{'id':1,'name':'Ana'},{'id':2,'name':'Bob Martin'}]}}");
        String device = doc("{'data':{'customers':[{'id':1,'name':'Ana'}]}}");
        MergeResult r = merge(base, latest, device);
        assertThat(text(r)).isEqualTo(latest);
        assertThat(r.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.collection()).isEqualTo("customers");
            assertThat(c.id()).isEqualTo(2L);
            assertThat(c.field()).isNull();
            assertThat(c.kept().toString()).isEqualTo(doc("{'id':2,'name':'Bob Martin'}"));
            assertThat(c.overwritten()).isNull();
            assertThat(c.overwrittenIn()).isEqualTo(7);
        });
    }

    @Test
    void should_keep_a_record_the_latest_deleted_and_the_device_edited() {
        String base = doc("{'data':{'customers':[{'id':1,'name':'Ana'},{'id':2,'name':'Bob'}]}}");
        String latest = doc("{'data':{'customers':[{'id':2,'name':'Bob'}]}}");
        String device = doc("{'data':{'customers':[{'id':1,'name':'Ana Rey'},{'id':2,'name':'Bob'}]}}");
        MergeResult r = merge(base, latest, device);
        assertThat(text(r)).isEqualTo(doc("{'data':{'customers':[{'id':2,'name':'Bob'},{'id':1,'name':'Ana Rey'}]}}"));
        assertThat(r.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.id()).isEqualTo(1L);
            assertThat(c.field()).isNull();
            assertThat(c.kept().toString()).isEqualTo(doc("{'id':1,'name':'Ana Rey'}"));
            assertThat(c.overwritten()).isNull();
        });
    }

    @Test
    void should_delete_a_record_deleted_on_both_sides() {
        String base = doc("{'data':{'customers':[{'id':1},{'id':2},{'id':3}]}}");
        String latest = doc("{'data':{'customers':[{'id':1},{'id':3,'x':1}]}}");
        String device = doc("{'data':{'customers':[{'id':1},{'id':3}]}}");
        MergeResult r = merge(base, latest, device);
        assertThat(text(r)).isEqualTo(latest);
        assertThat(r.conflicts()).isEmpty();
    }

    @Test
    void should_merge_a_record_added_on_both_sides_as_edits_of_an_empty_record() {
        String base = doc("{'data':{'customers':[]}}");
        String latest = doc("{'data':{'customers':[{'id':'c9','name':'Ana','city':'Lyon'}]}}");
        String device = doc("{'data':{'customers':[{'id':'c9','name':'Anna','phone':'06'}]}}");
        MergeResult r = merge(base, latest, device);
        assertThat(text(r)).isEqualTo(doc("{'data':{'customers':[{'id':'c9','name':'Anna','city':'Lyon','phone':'06'}]}}"));
        assertThat(r.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.field()).isEqualTo("name");
            assertThat(c.kept().asText()).isEqualTo("Anna");
            assertThat(c.overwritten().asText()).isEqualTo("Ana");
        });
    }

    @Test
    void should_merge_garage_and_settings_field_by_field() {
        String base = doc("{'garage':{'name':'G','phone':'1','siret':'S'},'data':{'settings':{'vat':20,'currency':'EUR'}}}");
        String latest = doc("{'garage':{'name':'G2','phone':'1','siret':'S2'},'data':{'settings':{'vat':10,'currency':'EUR'}}}");
        String device = doc("{'garage':{'name':'G','phone':'2','siret':'S3'},'data':{'settings':{'vat':20,'currency':'CHF'}}}");
        MergeResult r = merge(base, latest, device);
        assertThat(text(r)).isEqualTo(doc("{'garage':{'name':'G2','phone':'2','siret':'S3'},'data':{'settings':{'vat':10,'currency':'CHF'}}}"));
        assertThat(r.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.collection()).isEqualTo("garage");
            assertThat(c.id()).isNull();
            assertThat(c.field()).isEqualTo("siret");
            assertThat(c.kept().asText()).isEqualTo("S3");
            assertThat(c.overwritten().asText()).isEqualTo("S2");
        });
    }

    @Test
    void should_list_settings_conflicts_under_settings() {
        String base = doc("{'data':{'settings':{'vat':20}}}");
        String latest = doc("{'data':{'settings':{'vat':10}}}");
        String device = doc("{'data':{'settings':{'vat':5.5}}}");
        MergeResult r = merge(base, latest, device);
        assertThat(text(r)).isEqualTo(device);
        assertThat(r.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.collection()).isEqualTo("settings");
            assertThat(c.id()).isNull();
            assertThat(c.field()).isEqualTo("vat");
            assertThat(c.kept().decimalValue()).isEqualByComparingTo("5.5");
            assertThat(c.overwritten().intValue()).isEqualTo(10);
        });
    }

    @Test
    void should_take_other_members_from_the_device_only_when_it_changed_them() {
        String base = doc("{'timestamp':'t0','version':'1.0','app':'a','data':{'customers':[{'id':1}]}}");
        String latest = doc("{'timestamp':'t1','version':'1.1','app':'a','data':{'customers':[{'id':1,'n':1}]}}");
        String device = doc("{'timestamp':'t2','version':'1.0','data':{'customers':[{'id':1}]},'extra':true}");
        MergeResult r = merge(base, latest, device);
        assertThat(text(r)).isEqualTo(doc("{'timestamp':'t2','version':'1.1','data':{'customers':[{'id':1,'n':1}]},'extra':true}"));
        assertThat(r.conflicts()).isEmpty();
    }

    @Test
    void should_keep_the_latests_order_then_the_devices_new_records_and_fields() {
        String base = doc("{'data':{'customers':[{'id':1,'a':0},{'id':2},{'id':3}]}}");
        String latest = doc("{'data':{'customers':[{'id':3},{'b':1,'id':1,'a':1},{'id':2},{'id':4}]}}");
        String device = doc("{'data':{'customers':[{'id':6},{'id':1,'a':0,'z':1,'c':2},{'id':5},{'id':2},{'id':3}],'parts':[{'id':'p'}]}}");
        MergeResult r = merge(base, latest, device);
        assertThat(text(r)).isEqualTo(doc("{'data':{'customers':[{'id':3},{'b':1,'id':1,'a':1,'z':1,'c':2},{'id':2},{'id':4},{'id':6},{'id':5}],'parts':[{'id':'p'}]}}"));
    }

    @Test
    void should_keep_the_exact_bytes_of_records_nobody_touched() {
        String odd = "{ \"id\" : \"o\\u00e9\",\n\t\"note\":\"ligne 1\\nligne 2 \\\"quoted\\\" \\/ \uD83D\uDE97\",  \"amount\": 1.10E+2 ,\"big\":12345678901234567890123 }";
        String base = "{\"data\":{\"customers\":[" + odd + " ,\n  {\"id\":2,\"n\":0}]}}";
        String latest = "{\"data\":{\"customers\":[" + odd + " ,\n  {\"id\":2,\"n\":1}],\"vehicles\":[{\"id\":1}]}}";
        String device = "{\"data\":{\"customers\":[" + odd.replace("\n\t", "") + ",{\"id\":2,\"n\":0,\"m\":2}]}}";
        MergeResult r = merge(base, latest, device);
        assertThat(text(r)).isEqualTo("{\"data\":{\"customers\":[" + odd + ",{\"id\":2,\"n\":1,\"m\":2}],\"vehicles\":[{\"id\":1}]}}");
        assertThat(r.conflicts()).isEmpty();
    }

    @Test
    void should_keep_runs_of_untouched_records_with_the_bytes_between_them() {
        String base = doc("{'data':{'customers':[\n  {'id':1},\n  {'id':2},\n  {'id':3}\n]}}");
        String latest = doc("{'data':{'customers':[\n  {'id':1},\n  {'id':2},\n  {'id':3, 'x':1}\n]}}");
        String device = doc("{'data':{'customers':[{'id':1},{'id':2},{'id':3},{'id':4}]}}");
        MergeResult r = merge(base, latest, device);
        assertThat(text(r)).isEqualTo(doc("{'data':{'customers':[{'id':1},\n  {'id':2},\n  {'id':3, 'x':1},{'id':4}]}}"));
    }

    @Test
    void should_treat_string_and_number_ids_as_different_records_and_one_and_one_point_zero_as_one() {
        String base = doc("{'data':{'customers':[{'id':1,'n':'number'},{'id':'1','n':'string'}]}}");
        String latest = doc("{'data':{'customers':[{'id':1,'n':'number L'},{'id':'1','n':'string'}]}}");
        String device = doc("{'data':{'customers':[{'id':1.0,'n':'number'},{'id':'1','n':'string D'}]}}");
        MergeResult r = merge(base, latest, device);
        assertThat(text(r)).isEqualTo(doc("{'data':{'customers':[{'id':1,'n':'number L'},{'id':'1','n':'string D'}]}}"));
        assertThat(r.conflicts()).isEmpty();
    }

    @Test
    void should_give_the_device_byte_for_byte_when_the_latest_is_the_base_and_the_reverse() {
        String base = doc("{'data':{'customers':[{'id':1}]}}");
        String other = doc("{ 'data' : {'customers':[ {'id':1,'x':2} ]} }\n");
        assertThat(text(merge(base, base, other))).isEqualTo(other);
        assertThat(text(merge(base, other, base))).isEqualTo(other);
    }

    @Test
    void should_see_no_change_in_a_device_that_only_re_serialized_what_it_loaded() {
        String base = doc("{'data':{'customers':[{'id':1,'name':'\\u00c9lodie','total':1.50}]}}");
        String latest = doc("{'data':{'customers':[{'id':1,'name':'\\u00c9lodie','total':2}]}}");
        String device = "{\"data\":{\"customers\":[{\"name\":\"Élodie\",\"id\":1,\"total\":1.5}]}}";
        MergeResult r = merge(base, latest, device);
        assertThat(text(r)).isEqualTo(latest);
        assertThat(r.conflicts()).isEmpty();
    }

    @Test
    void should_raise_its_own_exception_on_documents_it_cannot_read() {
        String base = doc("{'data':{'customers':[{'id':1}]}}");
        String latest = doc("{'data':{'customers':[{'id':1,'x':1}]}}");
        for (String bad : List.of("", "[]", "{", "{\"data\":[]}", "{\"data\":{\"c\":[{\"x\":1}]}}",
                "{\"data\":{\"c\":[{\"id\":1},{\"id\":1.0}]}}", "{\"data\":{\"c\":[{\"id\":1,\"x\":}]}}",
                "{\"data\":{\"c\":[{\"id\":1,\"x\":\"unterminated}]}}", "{\"data\":{\"c\":[{\"id\":true}]}}")) {
            assertThatThrownBy(() -> ThreeWayMerge.merge(bytes(base), bytes(latest), bytes(bad), 2))
                    .as(bad).isInstanceOf(MergeException.class).hasMessageContaining("device");
        }
        assertThatThrownBy(() -> ThreeWayMerge.merge(null, bytes(latest), bytes(base), 2)).isInstanceOf(MergeException.class);
    }
}
