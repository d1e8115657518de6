// The OWL 2 DL profile check and HermiT's consistency check for kg/owl_check.py.
// Run by the Java source launcher with the OWL API and HermiT on the class path (owlready2's HermiT.jar).
// Usage: java -cp HermiT.jar OwlCheck.java ONTOLOGY.owl [ignore-unsupported-datatypes]
// Output, one line each, tab-separated: "axioms N", "unparsed TRIPLE", "violation TEXT",
// "datatype IRI", "consistent true|false".
import java.io.File;
import org.semanticweb.HermiT.Configuration;
import org.semanticweb.HermiT.Reasoner;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.io.RDFOntologyFormat;
import org.semanticweb.owlapi.model.OWLDatatype;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyFormat;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class OwlCheck {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
        System.out.println("axioms\t" + ontology.getAxiomCount());
        OWLOntologyFormat format = manager.getOntologyFormat(ontology);
        if (format instanceof RDFOntologyFormat) {
            for (Object triple : ((RDFOntologyFormat) format).getOntologyLoaderMetaData().getUnparsedTriples()) {
                System.out.println("unparsed\t" + triple);
            }
        }
        for (OWLProfileViolation violation : new OWL2DLProfile().checkOntology(ontology).getViolations()) {
            System.out.println("violation\t" + violation.toString().replace('\n', ' '));
        }
        for (OWLDatatype datatype : ontology.getDatatypesInSignature()) {
            System.out.println("datatype\t" + datatype.getIRI());
        }
        Configuration configuration = new Configuration();
        configuration.ignoreUnsupportedDatatypes = args.length > 1;
        System.out.println("consistent\t" + new Reasoner(configuration, ontology).isConsistent());
    }
}
