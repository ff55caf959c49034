"""French rows for arms-transfers seeds: KIND|SPLIT|title|text|note (see arms_build.py)."""

LANG = "fr"
ROWS = """
P|t|L'Indonésie active la dernière tranche de son contrat Rafale|Jakarta a confirmé la commande de 18 Rafale supplémentaires, portant à 42 le nombre d'avions achetés à Dassault Aviation. Les premières livraisons sont attendues en 2026.|Indonesia Rafale order
P|t|La France livre des canons Caesar supplémentaires à l'Ukraine|Le ministère des Armées a annoncé la livraison de douze canons Caesar, financés en partie par les recettes des avoirs russes gelés. Ces pièces d'artillerie ont été produites par KNDS France à Bourges. Kiev en réclame davantage pour tenir le front.|Caesar howitzers delivered
P|t|Mirage 2000 : premiers appareils cédés à Kiev|Les premiers Mirage 2000-5 prélevés sur la flotte de l'armée de l'Air ont été transférés à l'Ukraine, avec leurs missiles.|French jets to Ukraine
P|t|Exportations d'armement : la France devient le deuxième vendeur mondial|Selon le SIPRI, la part de la France dans les exportations mondiales d'armes a dépassé celle de la Russie sur les cinq dernières années.|SIPRI report
P|t|L'Arménie achète des radars et des blindés français|Erevan a signé un contrat pour des radars Ground Master 200 et des véhicules blindés Bastion, malgré les protestations de Bakou. L'Azerbaïdjan a dénoncé un contrat qui, selon lui, menace la paix régionale. Paris assure qu'il s'agit d'équipements défensifs.|French arms to Armenia
P|t|Des ONG demandent l'arrêt des ventes d'armes à Israël|Plusieurs associations ont saisi la justice administrative pour suspendre les licences d'exportation de composants militaires vers Israël.|Push to halt arms sales
P|t|La Corée du Nord fournit des obus à la Russie, selon Séoul|Les services de renseignement sud-coréens estiment que Pyongyang a expédié plus de dix mille conteneurs de munitions vers la Russie.|DPRK shells to Russia
P|t|L'Iran accusé de livrer des missiles balistiques à Moscou|Washington et plusieurs capitales européennes affirment que Téhéran a transféré des missiles Fath-360 à la Russie.|Iranian missiles to Russia
P|t|Serbie : Belgrade signe pour douze Rafale|Le président serbe a officialisé l'achat de douze avions de combat Rafale lors de la visite d'Emmanuel Macron.|Serbia buys Rafale
P|t|L'Allemagne autorise la livraison de chars Leopard|Berlin a donné son feu vert à l'envoi de chars Leopard 2 en Ukraine et autorise les pays partenaires à faire de même.|Leopard approval
P|t|Soudan : des armes continuent d'affluer malgré l'embargo|Un rapport d'experts de l'ONU décrit des livraisons d'armes aux Forces de soutien rapide via le Tchad, en violation de l'embargo.|Sudan embargo violations
P|t|Trafic d'armes : saisie de fusils à destination d'Haïti|Les douanes ont intercepté un conteneur contenant des fusils d'assaut destinés aux gangs de Port-au-Prince. Deux suspects ont été placés en garde à vue. Les armes avaient été achetées en Floride, selon les enquêteurs.|Arms trafficking to gangs
P|t|Le Brésil construira des sous-marins Scorpène sous licence|Le programme de transfert de technologie avec Naval Group a permis le lancement d'un quatrième sous-marin à Itaguaí.|Licensed submarine production
P|t|Les Émirats reçoivent leurs premiers Rafale|Abou Dhabi doit recevoir 80 Rafale au total dans le cadre du plus gros contrat export de l'histoire de l'avion.|Rafale delivered to UAE
P|t|Le Maroc achète des drones turcs Akinci|Rabat a commandé des drones Akinci à l'industriel turc Baykar, selon la presse spécialisée.|Turkish drones to Morocco
H|t|Cessez-le-feu au Liban : une trêve fragile|Le cessez-le-feu entre Israël et le Hezbollah est entré en vigueur mercredi, mais des tirs sporadiques ont été signalés. Des milliers de déplacés ont pris la route du retour vers le sud. Un comité de surveillance doit se réunir la semaine prochaine.|Ceasefire
H|t|Mercato : le PSG officialise le transfert de son nouvel attaquant|Le club parisien a déboursé 80 millions d'euros pour recruter le buteur portugais. Le joueur a signé un contrat jusqu'en 2029. Il portera le numéro 9.|Football transfer
H|t|Virements bancaires instantanés : ce qui change pour les clients|Depuis janvier, les banques ne peuvent plus facturer les virements instantanés plus cher que les virements classiques.|Bank transfers
H|t|Fusillade à Marseille : deux morts sur fond de trafic de drogue|Les victimes ont été atteintes par des tirs de kalachnikov dans une cité des quartiers nord.|Domestic shooting
H|t|Défilé du 14 Juillet : les blindés sur les Champs-Élysées|Le défilé militaire a mis à l'honneur les nouveaux véhicules Serval de l'armée de Terre. Plus de 6 000 militaires ont défilé devant le président de la République. La Patrouille de France a clôturé la cérémonie.|Military parade
H|t|Loi de programmation militaire : 413 milliards d'euros|Le Parlement a adopté la LPM qui fixe le budget des armées jusqu'en 2030.|Defence budget
H|t|Des larmes et des armoiries : la ville fête son blason restauré|Les habitants ont salué avec émotion la restauration des armoiries au fronton de la mairie.|Coat of arms, larmes
H|t|La patience, arme secrète du sélectionneur|L'entraîneur des Bleus a fait de la patience son arme principale face aux critiques.|Metaphorical weapon
H|t|Nexter inaugure une nouvelle ligne de production à Bourges|La cadence de production des obus de 155 mm destinés à l'armée française doublera d'ici l'an prochain.|Domestic production
H|t|Exercice Orion : la France mobilise 12 000 soldats|L'exercice militaire simule un conflit de haute intensité dans le sud de la France.|Military exercise
N|t|La SNCF annonce une grève pour le week-end|Le trafic sera fortement perturbé sur les lignes TGV.|Rail strike
N|t|Canicule : vigilance rouge dans le Sud|Les températures pourraient dépasser 40 degrés. Les écoles ont adapté leurs horaires. Les autorités recommandent d'éviter les efforts physiques.|Heatwave
N|t|Le Louvre prolonge ses horaires d'ouverture|Le musée ouvrira jusqu'à 21 heures trois soirs par semaine.|Museum
N|t|Le chômage recule au troisième trimestre|Le taux de chômage s'établit à 7,3 %.|Unemployment
N|t|Tour de France : victoire d'étape pour un Français|Le coureur s'est imposé au sommet dans les Alpes.|Cycling
N|t|Prix de l'électricité : hausse de 10 % en février|Le gouvernement justifie la hausse par la fin du bouclier tarifaire.|Energy prices
N|t|Réforme du baccalauréat : les épreuves avancées|Les lycéens passeront certaines épreuves en mars.|Education
P|e|La Grèce reçoit ses derniers Rafale|Athènes a réceptionné les six derniers avions de sa commande.|Rafale delivered to Greece
P|e|Paris suspend des licences d'export vers l'Azerbaïdjan|Le gouvernement invoque le risque d'escalade dans le Caucase.|Export licences suspended
P|e|Des armes de contrebande saisies au port du Havre|Les fusils étaient destinés à un groupe armé en Afrique de l'Ouest.|Arms smuggling
P|e|L'Inde commande 26 Rafale Marine|New Delhi a signé un accord intergouvernemental avec Paris.|India buys Rafale Marine
H|e|Le Real Madrid annonce un transfert record|Le milieu anglais rejoint le club espagnol pour 100 millions d'euros.|Football transfer
H|e|Essai de missile balistique en Corée du Nord|-|Missile test
H|e|Tireur sportif blessé au bras|L'athlète devra renoncer aux championnats d'Europe.|Arm injury
N|e|Les vendanges commencent en Bourgogne|La récolte s'annonce abondante.|Harvest
H|t|Les exportations de cognac vers la Chine reculent|Les producteurs s'inquiètent des droits de douane imposés par Pékin.|Trade exports
H|t|Un avion d'aide humanitaire décolle pour Gaza|L'appareil transporte du matériel médical et des kits d'hygiène.|Aid shipment
H|t|Paris et Jakarta signent des accords sur l'énergie|Les deux pays veulent coopérer dans l'hydrogène et le nickel.|Diplomacy, trade
P|t|La Belgique livrera ses F-16 à l'Ukraine|Bruxelles a confirmé la cession de plusieurs appareils d'ici la fin de l'année.|Belgian F-16s to Ukraine
H|t|Ukraine : Zelensky reçu à l'Élysée pour parler reconstruction|Les entreprises françaises pourraient participer à la reconstruction des infrastructures énergétiques.|Diplomacy, reconstruction
H|t|Les réfugiés ukrainiens peinent à trouver un logement|Des associations alertent sur la fin des dispositifs d'hébergement d'urgence.|Refugees
P|t|La France cédera des missiles Aster à l'Ukraine|Le ministre des Armées a confirmé la livraison de missiles pour le système SAMP/T.|French missiles to Ukraine
P|t|Le Qatar commande douze Rafale supplémentaires|L'émirat porte sa flotte à 36 appareils.|Rafale sale to Qatar
"""
